#pragma once
// The shared half of the cachelensctl subcommands that change keys through a RedisSource (purge, restore): the target
// (a URL, or a saved connection with its password from the keychain), the refusals a deploy pipeline relies on
// (read-only profiles never; production ones only with --confirm NAME), and the source opened and Ready (one
// attempt, no reconnect loop: a script wants an answer). Blocking on local event loops is fine in the CLI.
#include "connectors/ConnectionUrl.h"
#include "connectors/Source.h"
#include "connectors/ctl/Command.h"
#include "connectors/profiles/ConnectionProfile.h"

#include <QEventLoop>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace cachelens {
class RedisSource;
}

namespace cachelens::ctl {

struct ChangeTarget {
    std::optional<ConnectionProfile> profile;   // when the target named a saved connection
    ConnectionUrl url;                          // with the keychain's password for a profile
    QString id;                                 // the profile's id, or "cli"
    QString display;                            // the profile's name, or the URL (password hidden)
};

// Resolves `target`. `changes`: the command will write (read-only profiles are refused; production ones need
// `confirm` to be their name). On refusal or a bad URL prints one line to ctx.err, sets `exitCode` and returns
// nullopt. `verb` completes the refusal: "… clear its read-only flag to <verb>".
std::optional<ChangeTarget> resolveChangeTarget(Context& ctx, const QString& command, const QString& target,
                                                bool changes, const QString& confirm, const QString& verb,
                                                int& exitCode);

// A RedisSource for `target` on this thread (one connection attempt, no reconnect loop), opened and Ready. Null:
// printed why.
std::unique_ptr<RedisSource> openSource(Context& ctx, const QString& command, const ChangeTarget& target);

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

} // namespace cachelens::ctl
