#include "connectors/ctl/Commands.h"

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
