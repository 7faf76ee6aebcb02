#include "app/cachelens/ConnectionManager.h"

#include "app/cachelens/LocalEngine.h"
#include "app/cachelens/ProviderDemos.h"
#include "app/cachelens/SessionSecrets.h"
#include "connectors/Source.h"
#include "connectors/SourceHost.h"
#include "connectors/profiles/SecretResolver.h"
#include "ui/ConnectionListModel.h"

namespace cachelens::app {

ConnectionManager::ConnectionManager(ui::ConnectionListModel* model, QObject* parent)
    : ui::ConnectionService(parent), m_model(model), m_secrets(new SessionSecrets(this)),
      m_local(std::make_unique<LocalEngine>()), m_providerDemos(new ProviderDemos(this))
{
    const QString localId = m_model->entry(0).id;
    connect(m_local->source(), &Source::stateChanged, this,
            [this, localId](ConnectionState state, const QString& detail) { m_model->setState(localId, state, detail); });
    m_local->open();
    connect(m_providerDemos, &ProviderDemos::notice, this, &ConnectionManager::notice);
    connect(m_providerDemos, &ProviderDemos::changed, this, &ConnectionManager::providerDemoChanged);
}

ConnectionManager::~ConnectionManager()
{
    m_local->setDemoRunning(false);   // its threads use the cache: stop them first
    delete m_providerDemos;           // each removes its keys on its own thread before it goes
    m_providerDemos = nullptr;
    m_hosts.clear();
    m_local.reset();
}

const std::shared_ptr<engine::Cache>& ConnectionManager::localCache() const
{
    return m_local->cache();
}

void ConnectionManager::setDemoRunning(bool on)
{
    m_local->setDemoRunning(on);
}

bool ConnectionManager::demoRunning() const
{
    return m_local->demoRunning();
}

ui::ConnectionEntry ConnectionManager::entryFor(const ConnectionProfile& profile) const
{
    ui::ConnectionEntry e;
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
        m_secrets->remember(m_model->entry(row).id, url.password);
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
    m_secrets->store(key, *secret, [this, name](const QString& problem) { Q_EMIT notice(tr("%1: %2").arg(name, problem)); });
}

namespace {
// Whether the keychain holds a secret of the profile once it is saved with these passwords (each: nullopt keeps the
// stored one, empty removes it). nullopt when that is not known: a profile saved before the flag existed.
std::optional<bool> keychainHoldsSecrets(const std::optional<ConnectionProfile>& before, const std::optional<QString>& password,
                                         const std::optional<QString>& sentinelPassword)
{
    const std::optional<bool> kept = before ? before->keychainSecrets : std::optional<bool>(false);
    const auto holds = [&kept](const std::optional<QString>& secret) -> std::optional<bool> {
        if (secret)
            return !secret->isEmpty();
        return kept;
    };
    const std::optional<bool> master = holds(password);
    const std::optional<bool> sentinel = holds(sentinelPassword);
    if (master == true || sentinel == true)
        return true;
    if (master == false && sentinel == false)
        return false;
    return std::nullopt;
}
} // namespace

bool ConnectionManager::saveProfile(ConnectionProfile profile, const std::optional<QString>& password, QString* error,
                                    const std::optional<QString>& sentinelPassword)
{
    if (profile.id.isEmpty())
        profile.id = ConnectionProfile::newId();
    const bool wasOpen = m_hosts.count(profile.id) > 0;
    profile.keychainSecrets = keychainHoldsSecrets(m_profiles.find(profile.id), password, sentinelPassword);
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
    const bool saved = m_model->entry(row).saved;
    if (saved)
        m_profiles.remove(id);
    m_secrets->forget(id, saved);
    m_secrets->forget(ConnectionProfile::sentinelSecretKey(id), saved);
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
    if (const auto original = m_profiles.find(id)) {
        SecretResolver::resolve(*original, sessionSecrets(id), this, [this, target](const SecretResolver::Resolved& r) {
            const auto secret = [](const QString& s) { return s.isEmpty() ? std::nullopt : std::optional<QString>(s); };
            const std::optional<QString> password = secret(r.url.password);
            const std::optional<QString> sentinelPassword = secret(r.url.sentinelPassword);
            if (password || sentinelPassword)
                saveProfile(target, password, nullptr, sentinelPassword);
        });
    }
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
        return m_local->source();
    const auto it = m_hosts.find(id);
    return it == m_hosts.end() ? nullptr : it->second->source();
}

void ConnectionManager::activate(int row)
{
    if (row <= 0 || row >= m_model->rowCount())
        return;   // the local engine is always open
    const ui::ConnectionEntry& e = m_model->entry(row);
    if (m_hosts.count(e.id))
        return;
    const QString id = e.id;
    const QString name = e.name;
    withSecret(row, [this, id, name](const ConnectionUrl& url) {
        if (!m_hosts.count(id) && m_model->rowOf(id) >= 0)
            startSource(id, name, url);
    });
}

SecretResolver::Given ConnectionManager::sessionSecrets(const QString& id) const
{
    return {m_secrets->find(id), m_secrets->find(ConnectionProfile::sentinelSecretKey(id))};
}

void ConnectionManager::withSecret(int row, std::function<void(const ConnectionUrl&)> done)
{
    const ui::ConnectionEntry& e = m_model->entry(row);
    const QString name = e.name;
    // A saved row is resolved as its profile (whose keychainSecrets says whether the keychain holds anything of it);
    // an ad-hoc URL as a connection that is not saved: its secrets are the ones it was typed with, the keychain is
    // never asked for it.
    ConnectionProfile connection;
    connection.id = e.id;
    connection.name = e.name;
    connection.url = e.url;
    const auto stored = e.saved ? m_profiles.find(e.id) : std::nullopt;
    connection.keychainSecrets = stored ? stored->keychainSecrets : std::optional<bool>(false);
    const SecretResolver::Given given = sessionSecrets(e.id);
    if (SecretResolver::asksKeychain(connection, given) && !m_hosts.count(e.id))
        m_model->setState(e.id, ConnectionState::Connecting, tr("reading the password from the keychain"));
    SecretResolver::resolve(connection, given, this, [this, name, done = std::move(done)](const SecretResolver::Resolved& r) {
        if (!r.problem.isEmpty())
            Q_EMIT notice(tr("%1: %2").arg(name, r.problem));
        done(r.url);
    });
}

void ConnectionManager::startProviderDemo(int row, const Confirmation& confirmation)
{
    if (row <= 0 || row >= m_model->rowCount())
        return;
    const ui::ConnectionEntry& e = m_model->entry(row);
    if (e.readOnly) {
        Q_EMIT notice(tr("%1 is read-only: the L1+L2 demo writes keys, so it was not started.").arg(e.name));
        return;
    }
    if (m_providerDemos->running(e.id))
        return;
    const QString id = e.id;
    const QString name = e.name;
    GuardPolicy guard;
    guard.connection = name;
    guard.readOnly = e.readOnly;
    guard.production = e.production;
    withSecret(row, [this, id, name, guard, confirmation](const ConnectionUrl& url) {
        if (m_model->rowOf(id) >= 0)
            m_providerDemos->start(id, name, url, guard, confirmation);
    });
}

void ConnectionManager::stopProviderDemo(const QString& connectionId)
{
    m_providerDemos->stop(connectionId);
}

bool ConnectionManager::providerDemoRunning(const QString& connectionId) const
{
    return m_providerDemos->running(connectionId);
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

} // namespace cachelens::app
