#pragma once
// SessionSecrets: connection secrets (passwords, sentinel passwords) the way CacheLens finds them — the ones typed
// this session first (the only copy when no keychain runs, and for an ad-hoc URL's password, which is never stored),
// then, for saved connections, the system keychain (SecretStore). Keys are profile ids, or a profile's
// ConnectionProfile::sentinelSecretKey. Secrets never reach a log, a message or the settings file.
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
    bool has(const QString& key) const { return m_session.contains(key); }   // typed this session
    // The secret under `key`: this session's, else (for a saved connection) the keychain's; nullopt when there is
    // none — `problem` then says why when the keychain could not be asked.
    void lookup(const QString& key, bool saved, std::function<void(std::optional<QString>, QString problem)> done);
    // For a saved connection: kept for this session and written to the keychain (an empty secret removes it).
    // `failed` hears, in one sentence, when the keychain did not take it.
    void store(const QString& key, const QString& secret, std::function<void(const QString& problem)> failed);
    void forget(const QString& key, bool fromKeychainToo);

private:
    SecretStore* m_keychain;
    QHash<QString, QString> m_session;             // typed this session, by key
};

} // namespace cachelens::app
