#pragma once
// SessionSecrets: the connection secrets (passwords, sentinel passwords) typed this session — the only copy when no
// keychain runs, and for an ad-hoc URL's password, which is never stored — and, for saved connections, their copy
// written to (or removed from) the system keychain (SecretStore). Reading a connection's secrets back, these first,
// is SecretResolver's job. Keys are profile ids, or a profile's ConnectionProfile::sentinelSecretKey. Secrets never
// reach a log, a message or the settings file.
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace cachelens {
class SecretStore;
}

namespace cachelens::app {

class SessionSecrets : public QObject
{
    Q_OBJECT
public:
    explicit SessionSecrets(QObject* parent = nullptr);

    void remember(const QString& key, const QString& secret);   // this session only
    // The secret typed this session under `key`; nullopt when there is none.
    std::optional<QString> find(const QString& key) const;
    // For a saved connection: kept for this session and written to the keychain (an empty secret removes it).
    // `failed` hears, in one sentence, when the keychain did not take it.
    void store(const QString& key, const QString& secret, std::function<void(const QString& problem)> failed);
    void forget(const QString& key, bool fromKeychainToo);

private:
    SecretStore* m_keychain;
    QHash<QString, QString> m_session;             // typed this session, by key
};

} // namespace cachelens::app
