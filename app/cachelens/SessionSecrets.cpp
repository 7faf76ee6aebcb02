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

std::optional<QString> SessionSecrets::find(const QString& key) const
{
    if (const auto it = m_session.constFind(key); it != m_session.constEnd())
        return *it;
    return std::nullopt;
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
