#include "ui/ConnectionManager.h"

#include "connectors/ProviderDemoSource.h"

#include "connectors/DemoWorkload.h"
#include "connectors/Source.h"
#include "connectors/SourceHost.h"
#include "ui/ConnectionListModel.h"

#include <cachelens/cache.h>

namespace cachelens::ui {

ConnectionManager::ConnectionManager(ConnectionListModel* model, QObject* parent)
    : QObject(parent), m_model(model), m_secrets(new SecretStore(QStringLiteral("CacheLens"), this))
{
    // The local engine: bounded so that the demo shows evictions as well as hits, misses and expirations.
    engine::CacheOptions options;
    options.maxEntries = 8000;
    options.maxBytes = 32u << 20;
    m_localCache = std::make_shared<engine::Cache>(options);
    // Demo data from the start (characters, chat rooms, Discord lookups), so a first launch shows a populated Keys tree.
    DemoWorkload::populate(*m_localCache);
    m_localHost = SourceHost::forLocal(m_localCache);
    const QString localId = m_model->entry(0).id;
    connect(m_localHost->source(), &Source::stateChanged, this,
            [this, localId](ConnectionState state, const QString& detail) { m_model->setState(localId, state, detail); });
    m_localHost->open();
}

ConnectionManager::~ConnectionManager()
{
    m_demo.reset();   // its threads use the cache: stop them first
    m_providerDemos.clear();   // each removes its keys on its own thread before it goes
    m_hosts.clear();
    m_localHost.reset();
}

void ConnectionManager::setDemoRunning(bool on)
{
    if (on == demoRunning())
        return;
    if (!on) {
        m_demo.reset();
        return;
    }
    DemoWorkload::populate(*m_localCache);
    m_demo = std::make_unique<DemoWorkload>(m_localCache);
    m_demo->start();
}

bool ConnectionManager::demoRunning() const { return m_demo && m_demo->running(); }

ConnectionEntry ConnectionManager::entryFor(const ConnectionProfile& profile) const
{
    ConnectionEntry e;
    e.id = profile.id;
    e.name = profile.name;
    e.url = profile.url;
    e.production = profile.production;
    e.readOnly = profile.readOnly;
    e.saved = true;
    e.separator = profile.separator;
    return e;
}

void ConnectionManager::loadProfiles()
{
    for (const ConnectionProfile& p : m_profiles.list())
        m_model->upsert(entryFor(p));
}

int ConnectionManager::openAdHoc(const ConnectionUrl& url)
{
    const int row = m_model->addRedis(url);
    // A password typed in the URL is this session's only: it is not saved anywhere.
    if (!url.password.isEmpty())
        m_sessionSecrets.insert(m_model->entry(row).id, url.password);
    return row;
}

std::optional<ConnectionProfile> ConnectionManager::profile(const QString& id) const
{
    auto p = m_profiles.find(id);
    if (p && p->id != id)
        return std::nullopt;
    return p;
}

void ConnectionManager::storeSecret(const QString& key, const QString& name, const std::optional<QString>& secret)
{
    if (!secret)
        return;
    if (secret->isEmpty()) {
        m_sessionSecrets.remove(key);
        m_secrets->remove(key, this, [](const SecretStore::Result&) {});
        return;
    }
    m_sessionSecrets.insert(key, *secret);
    m_secrets->write(key, *secret, this, [this, name](const SecretStore::Result& r) {
        if (!r.ok())
            Q_EMIT notice(tr("%1: %2").arg(name, r.message));
    });
}

bool ConnectionManager::saveProfile(ConnectionProfile profile, const std::optional<QString>& password, QString* error,
                                    const std::optional<QString>& sentinelPassword)
{
    if (profile.id.isEmpty())
        profile.id = ConnectionProfile::newId();
    const bool wasOpen = m_hosts.count(profile.id) > 0;
    if (!m_profiles.save(profile, error))
        return false;
    storeSecret(profile.id, profile.name, password);
    storeSecret(ConnectionProfile::sentinelSecretKey(profile.id), profile.name, sentinelPassword);
    profile.url.password.clear();
    profile.url.sentinelPassword.clear();
    m_model->upsert(entryFor(profile));
    if (wasOpen) {
        // The address or credentials may have changed: reconnect with what was just saved.
        stopSource(profile.id);
        activate(m_model->rowOf(profile.id));
    }
    return true;
}

bool ConnectionManager::removeProfile(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row <= 0)
        return false;
    stopSource(id);
    if (m_model->entry(row).saved) {
        m_profiles.remove(id);
        m_secrets->remove(id, this, [](const SecretStore::Result&) {});
        m_secrets->remove(ConnectionProfile::sentinelSecretKey(id), this, [](const SecretStore::Result&) {});
    }
    m_sessionSecrets.remove(id);
    m_sessionSecrets.remove(ConnectionProfile::sentinelSecretKey(id));
    return m_model->removeRow(row);
}

std::optional<ConnectionProfile> ConnectionManager::duplicateProfile(const QString& id)
{
    auto copy = m_profiles.duplicate(id);
    if (!copy)
        return std::nullopt;
    m_model->upsert(entryFor(*copy));
    // The copy needs its own secrets: copy them from this session or the keychain.
    const ConnectionProfile target = *copy;
    lookupSecret(id, true, [this, id, target](std::optional<QString> password, const QString&) {
        if (target.url.scheme != ConnectionUrl::Scheme::Sentinel) {
            if (password)
                saveProfile(target, password);
            return;
        }
        lookupSecret(ConnectionProfile::sentinelSecretKey(id), true,
                     [this, target, password](std::optional<QString> sentinelPassword, const QString&) {
                         if (password || sentinelPassword)
                             saveProfile(target, password, nullptr, sentinelPassword);
                     });
    });
    return copy;
}

ProfileStore::ImportReport ConnectionManager::importProfiles(const QByteArray& json)
{
    const auto report = m_profiles.importJson(json);
    loadProfiles();
    return report;
}

QByteArray ConnectionManager::exportProfiles() const { return m_profiles.exportJson(); }

Source* ConnectionManager::source(const QString& id) const
{
    if (id == m_model->entry(0).id)
        return m_localHost->source();
    const auto it = m_hosts.find(id);
    return it == m_hosts.end() ? nullptr : it->second->source();
}

void ConnectionManager::activate(int row)
{
    if (row <= 0 || row >= m_model->rowCount())
        return;   // the local engine's source is owned elsewhere
    const ConnectionEntry& e = m_model->entry(row);
    if (m_hosts.count(e.id))
        return;
    const QString id = e.id;
    const QString name = e.name;
    withSecret(row, [this, id, name](const ConnectionUrl& url) {
        if (!m_hosts.count(id) && m_model->rowOf(id) >= 0)
            startSource(id, name, url);
    });
}

void ConnectionManager::withSecret(int row, std::function<void(const ConnectionUrl&)> done)
{
    const ConnectionEntry& e = m_model->entry(row);
    const QString id = e.id;
    const QString name = e.name;
    const ConnectionUrl url = e.url;   // an ad-hoc URL keeps the secrets it was typed with
    const bool saved = e.saved;
    if (saved && !m_sessionSecrets.contains(id) && !m_hosts.count(id))
        m_model->setState(id, ConnectionState::Connecting, tr("reading the password from the keychain"));
    lookupSecret(id, saved, [this, id, name, url, saved, done = std::move(done)](std::optional<QString> password, QString problem) {
        ConnectionUrl withSecret = url;
        if (password)
            withSecret.password = *password;
        const auto finish = [this, name, done](const ConnectionUrl& u, const QString& why) {
            if (!why.isEmpty())
                Q_EMIT notice(tr("%1: %2").arg(name, why));
            done(u);
        };
        if (url.scheme != ConnectionUrl::Scheme::Sentinel) {
            finish(withSecret, problem);
            return;
        }
        lookupSecret(ConnectionProfile::sentinelSecretKey(id), saved,
                     [withSecret, problem, finish](std::optional<QString> sentinelPassword, const QString& more) mutable {
                         if (sentinelPassword)
                             withSecret.sentinelPassword = *sentinelPassword;
                         finish(withSecret, problem.isEmpty() ? more : problem);   // one notice, not two alike
                     });
    });
}

void ConnectionManager::lookupSecret(const QString& key, bool saved,
                                     std::function<void(std::optional<QString>, QString problem)> done)
{
    if (const auto it = m_sessionSecrets.constFind(key); it != m_sessionSecrets.constEnd()) {
        done(*it, {});
        return;
    }
    if (!saved) {
        done(std::nullopt, {});
        return;
    }
    m_secrets->read(key, this, [done = std::move(done)](const SecretStore::Result& r) {
        if (r.ok())
            done(r.secret, {});
        else
            done(std::nullopt, r.status == SecretStore::Status::NotFound ? QString() : r.message);
    });
}

void ConnectionManager::startProviderDemo(int row, const Confirmation& confirmation)
{
    if (row <= 0 || row >= m_model->rowCount())
        return;
    const ConnectionEntry& e = m_model->entry(row);
    if (e.readOnly) {
        Q_EMIT notice(tr("%1 is read-only: the L1+L2 demo writes keys, so it was not started.").arg(e.name));
        return;
    }
    if (m_providerDemos.count(e.id))
        return;
    const QString id = e.id;
    const QString name = e.name;
    GuardPolicy guard;
    guard.connection = name;
    guard.readOnly = e.readOnly;
    guard.production = e.production;
    withSecret(row, [this, id, name, guard, confirmation](const ConnectionUrl& url) {
        if (m_providerDemos.count(id) || m_model->rowOf(id) < 0)
            return;
        auto* demo = new provider::ProviderDemoSource(id, name, url, {}, guard, confirmation);
        connect(demo, &provider::ProviderDemoSource::stateChanged, this,
                [this, id, name, demo](ConnectionState state, const QString& detail) {
                    if (state != ConnectionState::Failed)
                        return;
                    Q_EMIT notice(tr("The L1+L2 demo on %1 did not start: %2").arg(name, detail));
                    // It wrote nothing (or removed what it wrote): gone, so that it can be started again.
                    const auto it = m_providerDemos.find(id);
                    if (it == m_providerDemos.end() || it->second->source() != demo)
                        return;
                    Q_EMIT providerDemoChanged(id, demo, false);
                    m_providerDemos.erase(it);
                });
        connect(demo, &provider::ProviderDemoSource::demoStopped, this, [this, id, demo](const QString& sentence) {
            Q_EMIT notice(sentence);
            const auto it = m_providerDemos.find(id);
            if (it == m_providerDemos.end() || it->second->source() != demo)
                return;
            Q_EMIT providerDemoChanged(id, demo, false);
            m_providerDemos.erase(it);
        });
        auto host = std::make_unique<SourceHost>(demo);
        m_providerDemos.emplace(id, std::move(host));
        m_providerDemos.at(id)->open();
        Q_EMIT providerDemoChanged(id, demo, true);
    });
}

void ConnectionManager::stopProviderDemo(const QString& connectionId)
{
    const auto it = m_providerDemos.find(connectionId);
    if (it == m_providerDemos.end())
        return;
    // On the demo's thread: stop the traffic, remove its keys, then demoStopped (above) lets the host go.
    QMetaObject::invokeMethod(qobject_cast<provider::ProviderDemoSource*>(it->second->source()),
                              &provider::ProviderDemoSource::stopDemo, Qt::QueuedConnection);
}

void ConnectionManager::startSource(const QString& id, const QString& name, ConnectionUrl url)
{
    // The connection's flags as saved now: editing them saves the profile, which reopens the source (saveProfile).
    GuardPolicy guard;
    guard.connection = name;
    if (const int row = m_model->rowOf(id); row >= 0) {
        guard.readOnly = m_model->entry(row).readOnly;
        guard.production = m_model->entry(row).production;
    }
    auto host = SourceHost::forRedis(id, name, url, guard);
    Source* source = host->source();
    connect(source, &Source::stateChanged, this, [this, id](ConnectionState state, const QString& detail) {
        m_model->setState(id, state, detail);
    });
    m_hosts.emplace(id, std::move(host));
    m_hosts.at(id)->open();
    Q_EMIT sourceReady(id, source);
}

void ConnectionManager::stopSource(const QString& id)
{
    const auto it = m_hosts.find(id);
    if (it == m_hosts.end())
        return;
    Q_EMIT sourceReady(id, nullptr);   // panels drop the pointer before the source goes
    m_hosts.erase(it);
    m_model->setState(id, ConnectionState::Disconnected, QString());
}

} // namespace cachelens::ui
