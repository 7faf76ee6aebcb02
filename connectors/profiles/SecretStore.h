#pragma once
// Connection passwords in the system keychain (Secret Service such as GNOME Keyring or KWallet, through QtKeychain),
// keyed by profile id under the service "CacheLens". Never in plain text: where no keychain service runs, writes
// fail with NoKeychain and a message saying the password was not saved (QtKeychain's insecure fallback is off).
// Asynchronous: callbacks run on the caller's thread, tied to a context object.
#include <QObject>
#include <QString>

#include <functional>

namespace cachelens {

class SecretStore : public QObject
{
    Q_OBJECT
public:
    enum class Status { Ok, NotFound, NoKeychain, Denied, Failed };
    struct Result {
        Status status = Status::Failed;
        QString secret;     // read: the password
        QString message;    // a sentence for the user when status != Ok
        bool ok() const { return status == Status::Ok; }
    };
    using Callback = std::function<void(const Result&)>;

    explicit SecretStore(QString service = QStringLiteral("CacheLens"), QObject* parent = nullptr);

    void write(const QString& profileId, const QString& secret, QObject* context, Callback done);
    void read(const QString& profileId, QObject* context, Callback done);
    void remove(const QString& profileId, QObject* context, Callback done);

    static QString noKeychainMessage();
    // Its first half: "no system keychain is running (…)", for callers that say themselves what happens next.
    static QString noKeychainReason();

private:
    QString m_service;
};

} // namespace cachelens
