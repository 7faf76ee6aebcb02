#include "connectors/profiles/SecretResolver.h"

#include "connectors/profiles/SecretStore.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <memory>
#include <vector>

namespace cachelens {
namespace {

// One secret of the URL: where it goes, under which keychain key, and what the caller gave for it.
struct Slot {
    QString ConnectionUrl::*field;
    QString key;
    std::optional<QString> given;
    bool sentinel;
};

struct Job {
    SecretResolver::Resolved resolved;
    std::vector<Slot> secrets;
    std::size_t next = 0;
    bool keychain = false;
    QObject* context = nullptr;
    SecretResolver::Done done;
};

bool mayHoldSecrets(const ConnectionProfile& profile)
{
    return !profile.id.isEmpty() && profile.keychainSecrets != false;
}

std::vector<Slot> secretsOf(const ConnectionProfile& profile, const SecretResolver::Given& given)
{
    std::vector<Slot> secrets{{&ConnectionUrl::password, profile.id, given.password, false}};
    if (profile.url.scheme == ConnectionUrl::Scheme::Sentinel)
        secrets.push_back({&ConnectionUrl::sentinelPassword, ConnectionProfile::sentinelSecretKey(profile.id),
                         given.sentinelPassword, true});
    return secrets;
}

bool needsKeychain(const Slot& slot, const ConnectionUrl& url)
{
    return !slot.given && (url.*slot.field).isEmpty();
}

// The clause for a read that failed; empty when there simply is no such secret. SecretStore's own NoKeychain message
// is about saving, so a read says its reason in its own words.
QString readProblem(const SecretStore::Result& r, bool sentinel)
{
    if (r.ok() || r.status == SecretStore::Status::NotFound)
        return {};
    if (r.status != SecretStore::Status::NoKeychain)
        return r.message;
    return sentinel ? QCoreApplication::translate("SecretResolver",
                                                  "the sentinel password could not be read from the keychain: %1")
                          .arg(SecretStore::noKeychainReason())
                    : QCoreApplication::translate("SecretResolver", "the password could not be read from the keychain: %1")
                          .arg(SecretStore::noKeychainReason());
}

void proceed(const std::shared_ptr<Job>& job)
{
    while (job->next < job->secrets.size()) {
        const Slot& slot = job->secrets[job->next++];
        QString& secret = job->resolved.url.*slot.field;
        if (slot.given) {
            secret = *slot.given;
            continue;
        }
        if (!job->keychain || !needsKeychain(slot, job->resolved.url))
            continue;
        // The store is only a service name; the keychain job it starts lives until its callback has run.
        SecretStore().read(slot.key, job->context, [job, field = slot.field, sentinel = slot.sentinel](const SecretStore::Result& r) {
            if (r.ok())
                job->resolved.url.*field = r.secret;
            else if (job->resolved.problem.isEmpty())   // one sentence, not two alike
                job->resolved.problem = readProblem(r, sentinel);
            proceed(job);
        });
        return;
    }
    job->done(job->resolved);
}

} // namespace

bool SecretResolver::asksKeychain(const ConnectionProfile& profile, const Given& given)
{
    if (!mayHoldSecrets(profile))
        return false;
    for (const Slot& slot : secretsOf(profile, given)) {
        if (needsKeychain(slot, profile.url))
            return true;
    }
    return false;
}

void SecretResolver::resolve(const ConnectionProfile& profile, const Given& given, QObject* context, Done done)
{
    auto job = std::make_shared<Job>();
    job->resolved.url = profile.url;
    job->secrets = secretsOf(profile, given);
    job->keychain = mayHoldSecrets(profile);
    job->context = context;
    job->done = std::move(done);
    proceed(job);
}

SecretResolver::Resolved SecretResolver::resolveNow(const ConnectionProfile& profile, const Given& given)
{
    QEventLoop loop;
    std::optional<Resolved> resolved;
    resolve(profile, given, &loop, [&](const Resolved& r) {
        resolved = r;
        loop.quit();
    });
    if (!resolved)
        loop.exec();
    return *resolved;
}

} // namespace cachelens
