#include "connectors/ctl/Commands.h"

#include "cachelens/engine/version.h"

#include <QCoreApplication>

namespace cachelens::ctl {

Command helpCommand()
{
    Command c;
    c.name = QStringLiteral("help");
    c.summary = QCoreApplication::translate("ctl", "list subcommands, or show one subcommand's usage");
    c.usage = QStringLiteral("cachelensctl help [SUBCOMMAND]");
    c.run = [](Context& ctx) {
        if (ctx.args.size() > 1)
            return misuse(ctx, QStringLiteral("help"), QStringLiteral("takes at most one subcommand name"));
        if (ctx.args.size() == 1) {
            for (const Command& command : commands()) {
                if (command.name == ctx.args.first()) {
                    ctx.out << "usage: " << command.usage << "\n\n" << command.summary << Qt::endl;
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
                << "'cachelensctl help SUBCOMMAND' shows its usage." << Qt::endl;
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
    c.run = [](Context& ctx) {
        if (!ctx.args.isEmpty())
            return misuse(ctx, QStringLiteral("version"), QStringLiteral("takes no arguments"));
        ctx.out << "cachelensctl " << kVersion << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
