#pragma once
// cachelensctl subcommands. app/cachelensctl only forwards argv to ctl::run(); every subcommand lives here, one file
// each (HelpCommand.cpp, MatchCommand.cpp, …), and is listed once in Commands.cpp. Tests call ctl::run() with
// in-memory streams.
//
// Exit codes: 0 success, 1 the operation failed (server error, partial failure), 2 misuse (bad arguments, bad URL);
// every failure prints one line to `err` that says what to fix.
#include "connectors/ConnectionUrl.h"

#include <QIODevice>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>

namespace cachelens::ctl {

enum ExitCode { Ok = 0, Failed = 1, Misuse = 2 };

struct Context {
    QStringList args;     // arguments after the subcommand name
    QTextStream& out;
    QTextStream& err;
    QIODevice& in;        // standard input (for `match`, …)
    std::optional<QString> password;   // a connecting command's --password-stdin (run() reads it)
};

// One entry of a subcommand's help: an argument or option as it is typed ("URL", "--match GLOB", "-v, --invert") and
// what it does.
struct OptionHelp {
    QString syntax;
    QString description;
};

struct Command {
    QString name;
    QString summary;      // one line for `cachelensctl help`
    QString usage;        // "cachelensctl match GLOB < keys.txt"
    QList<OptionHelp> options;   // every argument and option, for `cachelensctl SUB --help` (and `help SUB`)
    std::function<int(Context&)> run;
    // Takes a URL or a saved connection's name and connects: run() then answers --password-stdin for it (the first
    // line of standard input is the password), and $CACHELENS_PASSWORD applies (ctl/RedisCommandSupport.h).
    bool connects = false;
    // Can change data on a server (ttl, purge, restore, simulate on Redis): goes through the connection's guard
    // (connectors/guard/ChangeGuard.h) — read-only refuses, production needs --confirm NAME, audited first — and
    // the test that enumerates these commands (tests/connectors/tst_ctlguard.cpp) must have a row for it.
    bool changesData = false;
};

// An OptionHelp with its description translated.
OptionHelp option(const char* syntax, const char* description);
// The URL argument of the subcommands that connect: a URL or a saved connection's name.
OptionHelp urlArgument();

// All subcommands, in the order `help` lists them.
const QList<Command>& commands();

// argv without the program name: {"match", "user:*"}. `SUB --help` or `SUB -h` (anywhere among SUB's arguments)
// prints SUB's usage and options and runs nothing.
int run(const QStringList& arguments, QTextStream& out, QTextStream& err, QIODevice& in);

// Helper for commands: parse options with QCommandLineParser-like rules and print a one-line misuse message.
int misuse(Context& ctx, const QString& commandName, const QString& message);

// Checks a glob given on the command line with the one validation every scan, purge, match and panel uses
// (globProblem). False after printing the misuse line ("cachelensctl scan: bad pattern 'user:[': …").
bool acceptGlob(Context& ctx, const QString& commandName, const QByteArray& glob);

// For a URL that did not parse: its error, then the input (secrets masked) with a caret under the bad part. Returns
// Misuse.
int badUrl(Context& ctx, const QString& commandName, const ConnectionUrl::ParseResult& parsed);

} // namespace cachelens::ctl
