#include "app/cachelens/SessionSecrets.h"

#include "connectors/profiles/SecretStore.h"

namespace cachelens::app {

SessionSecrets::SessionSecrets(QObject* parent)
    : QObject(parent), m_keychain(new SecretStore(QStringLiteral("CacheLens"), this))
{
}

void SessionSecrets::remember(const QString& key, const QString& secret)
{
    m_session.insert(key, secret);
}

void SessionSecrets::lookup(const QString& key, bool saved, std::function<void(std::optional<QString>, QString problem)> done)
{
    if (const auto it = m_session.constFind(key); it != m_session.constEnd()) {
        done(*it, {});
        return;
    }
    if (!saved) {
        done(std::nullopt, {});
        return;
    }
    m_keychain->read(key, this, [done = std::move(done)](const SecretStore::Result& r) {
        if (r.ok())
            done(r.secret, {});
        else
            done(std::nullopt, r.status == SecretStore::Status::NotFound ? QString() : r.message);
    });
}

void SessionSecrets::store(const QString& key, const QString& secret, std::function<void(const QString& problem)> failed)
{
    if (secret.isEmpty()) {
        forget(key, true);
        return;
    }
    m_session.insert(key, secret);
    m_keychain->write(key, secret, this, [failed = std::move(failed)](const SecretStore::Result& r) {
        if (!r.ok())
            failed(r.message);
    });
}

void SessionSecrets::forget(const QString& key, bool fromKeychainToo)
{
    m_session.remove(key);
    if (fromKeychainToo)
        m_keychain->remove(key, this, [](const SecretStore::Result&) {});
}

} // namespace cachelens::app
