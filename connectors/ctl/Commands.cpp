#include "connectors/ctl/Commands.h"

#include "connectors/invalidate/GlobCheck.h"

#include <QCoreApplication>

namespace cachelens::ctl {

const QList<Command>& commands()
{
    static const QList<Command> all{
        helpCommand(),
        versionCommand(),
        urlCommand(),
        connectionsCommand(),
        pingCommand(),
        statsCommand(),
        scanCommand(),
        ttlCommand(),
        matchCommand(),
        simulateCommand(),
        replayCommand(),
        mrcCommand(),
        recordCommand(),
        purgeCommand(),
        restoreCommand(),
    };
    return all;
}

int misuse(Context& ctx, const QString& commandName, const QString& message)
{
    ctx.err << "cachelensctl " << commandName << ": " << message << Qt::endl;
    return Misuse;
}

OptionHelp option(const char* syntax, const char* description)
{
    return {QString::fromUtf8(syntax), QCoreApplication::translate("ctl", description)};
}

OptionHelp urlArgument()
{
    return option("URL", "a redis://, rediss://, unix:// or redis-sentinel:// URL (see 'cachelensctl help url'), or the "
                          "name of a saved connection (cachelensctl connections list)");
}

bool acceptGlob(Context& ctx, const QString& commandName, const QByteArray& glob)
{
    const QString problem = globProblem(glob);
    if (problem.isEmpty())
        return true;
    misuse(ctx, commandName, QCoreApplication::translate("ctl", "bad pattern '%1': %2").arg(QString::fromUtf8(glob), problem));
    return false;
}

int badUrl(Context& ctx, const QString& commandName, const ConnectionUrl::ParseResult& parsed)
{
    ctx.err << "cachelensctl " << commandName << ": " << parsed.error << '\n' << parsed.pointedError() << Qt::endl;
    return Misuse;
}

int run(const QStringList& arguments, QTextStream& out, QTextStream& err, QIODevice& in)
{
    if (arguments.isEmpty()) {
        err << QCoreApplication::translate("ctl", "cachelensctl: missing subcommand; try 'cachelensctl help'") << Qt::endl;
        return Misuse;
    }
    QString name = arguments.first();
    QStringList rest = arguments.mid(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h")) {
        name = QStringLiteral("help");
    } else if (name == QLatin1String("--version") || name == QLatin1String("-v")) {
        name = QStringLiteral("version");
    }
    for (const Command& command : commands()) {
        if (command.name == name) {
            if (rest.contains(QStringLiteral("--help")) || rest.contains(QStringLiteral("-h"))) {
                printHelp(out, command);
                out.flush();
                return Ok;
            }
            Context ctx{rest, out, err, in, std::nullopt};
            if (command.connects && rest.removeAll(QStringLiteral("--password-stdin")) > 0) {
                // One line, as `read` would give it: a password never has to be on the command line, where ps shows it.
                QByteArray line = in.readLine();
                while (line.endsWith('\n') || line.endsWith('\r'))
                    line.chop(1);
                if (line.isEmpty())
                    return misuse(ctx, name, QCoreApplication::translate("ctl", "--password-stdin found no password on "
                                                                                "standard input (one line is read)"));
                ctx.args = rest;
                ctx.password = QString::fromUtf8(line);
            }
            const int code = command.run(ctx);
            out.flush();
            err.flush();
            return code;
        }
    }
    err << QCoreApplication::translate("ctl", "cachelensctl: unknown subcommand '%1'; try 'cachelensctl help'").arg(name)
        << Qt::endl;
    return Misuse;
}

} // namespace cachelens::ctl
