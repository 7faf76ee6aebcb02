#pragma once
// Shared plumbing of the cachelensctl subcommands that talk to Redis. One resolver turns what the user gave (a URL,
// or the name of a saved connection) into a Target: the URL with its secrets and the connection's guard policy.
// Secrets, strongest first: the URL's own, --password-stdin (Context::password), $CACHELENS_PASSWORD (as redis-cli
// takes REDISCLI_AUTH), then the keychain for a saved connection (SecretResolver) — so a password never has to be on
// the command line, where `ps` shows it. Then: connect with the asynchronous client (one attempt, no reconnect loop: a script
// wants an answer), or open a RedisSource for the commands that change data, and wait on a local event loop.
// Blocking is fine here: cachelensctl is a command-line tool, not the GUI.
#include "connectors/Source.h"
#include "connectors/ctl/Command.h"
#include "connectors/guard/ChangeGuard.h"
#include "connectors/profiles/ConnectionProfile.h"
#include "connectors/redis/RedisClient.h"

#include <QEventLoop>

#include <functional>
#include <memory>
#include <optional>

namespace cachelens {
class RedisSource;
}

namespace cachelens::ctl {

struct Target {
    std::optional<ConnectionProfile> profile;   // when the target named a saved connection
    ConnectionUrl url;                          // with its secrets
    QString id;                                 // the profile's id, or "cli"
    QString display;                            // the profile's name, or the URL (secrets hidden)
    GuardPolicy guard;                          // the profile's flags; a URL is neither read-only nor production
    QString keychainProblem;                    // the keychain could not be asked (said only if the server then
                                                // wants a password: a connection without one needs no keychain)
};

// Resolves `text` (a URL, or a saved connection's name or id). On a bad URL or an unknown name prints one line to
// ctx.err, sets `exitCode` to Misuse and returns nullopt.
std::optional<Target> resolveTarget(Context& ctx, const QString& command, const QString& text, int& exitCode);

// The guard's answer before anything is sent (ChangeGuard::check): on a refusal prints it and returns true; the
// command then exits with Failed. The Source asks again, and writes the audit row, when the change runs.
bool refusedChange(Context& ctx, const QString& command, const Target& target, const Confirmation& confirmation);

// Connects to `target`. On failure prints one line to ctx.err, sets `exitCode` (Failed) and returns null.
std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& command, const Target& target, int& exitCode);
// resolveTarget, then connectRedis.
std::unique_ptr<redis::RedisClient> connectRedis(Context& ctx, const QString& command, const QString& text, int& exitCode);

// A RedisSource for `target` on this thread, guarded by its policy (one connection attempt, no reconnect loop),
// opened and Ready. Null: printed why.
std::unique_ptr<RedisSource> openSource(Context& ctx, const QString& command, const Target& target);

// Sends one command and runs a local event loop until its reply arrives.
redis::RedisReply callRedis(redis::RedisClient& client, const QList<QByteArray>& args);

// Calls `start`, then runs a local event loop until `signal` of `source` delivers its value.
template <class Report>
Report awaitReport(Source* source, void (Source::*signal)(const Report&), const std::function<void()>& start)
{
    QEventLoop loop;
    std::optional<Report> report;
    QObject::connect(source, signal, &loop, [&](const Report& r) {
        report = r;
        loop.quit();
    });
    start();
    if (!report)
        loop.exec();
    return *report;
}

// The exit code of a command that ended with `error`: Misuse (2) only for a bad argument that changed nothing
// (a glob, a file that is no snapshot); a refusal (read-only, production without --confirm, an audit log that cannot
// be written) or a failure is Failed (1). The same rule for every command that changes data.
int exitCodeFor(const SourceError& error, bool changedAnything);

// "1234567" for human output (C locale, no grouping: scripts parse it). Sizes: formatBytes(n, 1, QLocale::c()) of
// connectors/support/Units.h.
QString formatCount(qint64 n);

} // namespace cachelens::ctl
