#include "connectors/ctl/Commands.h"

#include <cachelens/version.h>

#include <QCoreApplication>

namespace cachelens::ctl {

void printHelp(QTextStream& out, const Command& command)
{
    out << "usage: " << command.usage << "\n\n" << command.summary << '\n';
    QList<OptionHelp> options = command.options;
    if (command.connects) {   // answered by run() for every connecting command (ctl/RedisCommandSupport.h)
        options << option("--password-stdin", "read the server's password from the first line of standard input, so it "
                                              "is never on the command line (where ps shows it)")
                << option("CACHELENS_PASSWORD", "(environment) the server's password, when neither the URL nor "
                                                "--password-stdin gives one; a saved connection's keychain entry otherwise");
    }
    if (!options.isEmpty()) {
        qsizetype width = 0;
        for (const OptionHelp& o : options)
            width = qMax(width, o.syntax.size());
        out << '\n';
        // A syntax too long for the column gets a line of its own, so descriptions stay aligned.
        width = qMin(width, qsizetype(24));
        for (const OptionHelp& o : options) {
            out << "  " << o.syntax;
            if (o.syntax.size() > width)
                out << '\n' << QString(width + 2, QLatin1Char(' '));
            else
                out << QString(width - o.syntax.size(), QLatin1Char(' '));
            out << "  " << o.description << '\n';
        }
    }
    out.flush();
}

Command helpCommand()
{
    Command c;
    c.name = QStringLiteral("help");
    c.summary = QCoreApplication::translate("ctl", "list subcommands, or show one subcommand's usage and options");
    c.usage = QStringLiteral("cachelensctl help [SUBCOMMAND]");
    c.options = {option("SUBCOMMAND", "the subcommand to describe (the same as 'cachelensctl SUBCOMMAND --help')"),
                 option("-h, --help", "after any subcommand: its usage and options")};
    c.run = [](Context& ctx) {
        if (ctx.args.size() > 1)
            return misuse(ctx, QStringLiteral("help"), QStringLiteral("takes at most one subcommand name"));
        if (ctx.args.size() == 1) {
            for (const Command& command : commands()) {
                if (command.name == ctx.args.first()) {
                    printHelp(ctx.out, command);
                    return int(Ok);
                }
            }
            return misuse(ctx, QStringLiteral("help"), QStringLiteral("no subcommand named '%1'").arg(ctx.args.first()));
        }
        ctx.out << "cachelensctl " << kVersion << " - scriptable CacheLens: stats, scan, purge, TTL, simulate\n\n"
                << "usage: cachelensctl SUBCOMMAND [options]\n\nsubcommands:\n";
        for (const Command& command : commands())
            ctx.out << "  " << command.name.leftJustified(12) << ' ' << command.summary << '\n';
        ctx.out << "\nExit codes: 0 success, 1 operation failed, 2 misuse.\n"
                << "'cachelensctl SUBCOMMAND --help' (or 'cachelensctl help SUBCOMMAND') describes its options." << Qt::endl;
        return int(Ok);
    };
    return c;
}

Command versionCommand()
{
    Command c;
    c.name = QStringLiteral("version");
    c.summary = QCoreApplication::translate("ctl", "print the version");
    c.usage = QStringLiteral("cachelensctl version");
    c.options = {};
    c.run = [](Context& ctx) {
        if (!ctx.args.isEmpty())
            return misuse(ctx, QStringLiteral("version"), QStringLiteral("takes no arguments"));
        ctx.out << "cachelensctl " << kVersion << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
