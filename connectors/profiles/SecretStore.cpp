#include "connectors/profiles/SecretStore.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>

namespace cachelens {
namespace {

// QtKeychain reports "no keychain" as NoBackendAvailable only when it finds no backend library; with libsecret
// installed but no Secret Service on the session bus (a server, a container, a bare X session) it reports libsecret's
// own connection error. Both mean the same to the user, so ask the bus once, on the error path only.
bool keychainServiceReachable()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const QStringList wanted{QStringLiteral("org.freedesktop.secrets"), QStringLiteral("org.kde.kwalletd5"),
                             QStringLiteral("org.kde.kwalletd6")};
    const QStringList registered = bus.interface()->registeredServiceNames().value();
    const QStringList activatable = bus.interface()->activatableServiceNames().value();
    return std::any_of(wanted.begin(), wanted.end(),
                       [&](const QString& name) { return registered.contains(name) || activatable.contains(name); });
}

SecretStore::Result resultOf(const QKeychain::Job& job, const char* action)
{
    SecretStore::Result r;
    switch (job.error()) {
    case QKeychain::NoError:
        r.status = SecretStore::Status::Ok;
        return r;
    case QKeychain::EntryNotFound:
        r.status = SecretStore::Status::NotFound;
        r.message = QCoreApplication::translate("SecretStore", "no password is saved for this connection");
        return r;
    case QKeychain::NoBackendAvailable:
        r.status = SecretStore::Status::NoKeychain;
        r.message = SecretStore::noKeychainMessage();
        return r;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        r.status = SecretStore::Status::Denied;
        break;
    default:
        if (!keychainServiceReachable()) {
            r.status = SecretStore::Status::NoKeychain;
            r.message = SecretStore::noKeychainMessage();
            return r;
        }
        r.status = SecretStore::Status::Failed;
        break;
    }
    r.message = QCoreApplication::translate("SecretStore", "the keychain refused to %1 the password: %2")
                    .arg(QLatin1String(action), job.errorString());
    return r;
}

template <typename JobT>
void run(JobT* job, QObject* context, const char* action, SecretStore::Callback done,
         std::function<void(SecretStore::Result&, JobT&)> extra = {})
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);   // never plain text
    QObject::connect(job, &QKeychain::Job::finished, context, [done = std::move(done), extra, action](QKeychain::Job* j) {
        auto* typed = static_cast<JobT*>(j);
        SecretStore::Result r = resultOf(*typed, action);
        if (r.ok() && extra)
            extra(r, *typed);
        done(r);
    });
    job->start();
}

} // namespace

SecretStore::SecretStore(QString service, QObject* parent) : QObject(parent), m_service(std::move(service)) {}

QString SecretStore::noKeychainReason()
{
    return QCoreApplication::translate("SecretStore",
                                       "no system keychain is running (no Secret Service or KWallet on the session bus)");
}

QString SecretStore::noKeychainMessage()
{
    return QCoreApplication::translate("SecretStore", "%1, so the password was not saved; CacheLens will ask for it when "
                                                      "it connects. Passwords are never stored in plain text.")
        .arg(noKeychainReason());
}

void SecretStore::write(const QString& profileId, const QString& secret, QObject* context, Callback done)
{
    auto* job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(profileId);
    job->setTextData(secret);
    run(job, context, "save", std::move(done));
}

void SecretStore::read(const QString& profileId, QObject* context, Callback done)
{
    auto* job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(profileId);
    run<QKeychain::ReadPasswordJob>(job, context, "read", std::move(done),
                                    [](Result& r, QKeychain::ReadPasswordJob& j) { r.secret = j.textData(); });
}

void SecretStore::remove(const QString& profileId, QObject* context, Callback done)
{
    auto* job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(profileId);
    run(job, context, "delete", std::move(done));
}

} // namespace cachelens
