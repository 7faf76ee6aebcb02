#include "connectors/ctl/Commands.h"

#include <cachelens/glob.h>
#include <cachelens/key_escape.h>

#include <QCoreApplication>

namespace cachelens::ctl {

Command matchCommand();

// `cachelensctl match GLOB [--count] [--invert]`: filters keys read from standard input (one per line, in the
// escaped form `cachelensctl scan` prints) with the engine's Redis-glob matcher, so an operator can try a purge
// pattern offline on an exported key list before running it against a server. Matching lines are printed in the
// same escaped form. A line that is not a valid escaped key is reported on stderr with its line number and skipped;
// the exit code is then 1.
Command matchCommand()
{
    Command c;
    c.name = QStringLiteral("match");
    c.summary = QCoreApplication::translate("ctl", "filter escaped keys on stdin with a Redis glob (test a purge pattern offline)");
    c.usage = QStringLiteral("cachelensctl match GLOB [--count] [--invert] < keys.txt");
    c.options = {option("GLOB", "a Redis glob (* ? [abc] [^a] [a-z] \\x), matched as SCAN MATCH and purge --match do"),
                 option("--count", "print the number of matching keys instead of the keys"),
                 option("-v, --invert", "keep the keys that do not match")};
    c.run = [](Context& ctx) {
        QStringList positional;
        bool countOnly = false, invert = false;
        for (const QString& a : ctx.args) {
            if (a == QLatin1String("--count")) countOnly = true;
            else if (a == QLatin1String("--invert") || a == QLatin1String("-v")) invert = true;
            else if (a.startsWith(QLatin1String("--")) && a.size() > 2)
                return misuse(ctx, QStringLiteral("match"), QStringLiteral("unknown option %1").arg(a));
            else positional << a;
        }
        if (positional.size() != 1)
            return misuse(ctx, QStringLiteral("match"),
                          QStringLiteral("expects exactly one GLOB, e.g. cachelensctl match 'user:*' < keys.txt"));
        // The pattern is matched byte for byte against the raw keys, as Redis does; quote it for the shell.
        const QByteArray pattern = positional.first().toUtf8();
        if (!acceptGlob(ctx, QStringLiteral("match"), pattern))
            return int(Misuse);
        const std::string_view glob(pattern.constData(), static_cast<std::size_t>(pattern.size()));

        qint64 lineNo = 0, matched = 0, bad = 0;
        while (!ctx.in.atEnd()) {
            QByteArray line = ctx.in.readLine();
            // Standard input reports its end only once a read comes back empty: that is not an empty last line (a
            // final newline ends the last line; an empty key is an empty line followed by a newline).
            if (line.isEmpty())
                break;
            ++lineNo;
            if (line.endsWith('\n')) line.chop(1);
            if (line.endsWith('\r')) line.chop(1); // lists saved on Windows; the escaped form never holds a raw CR
            std::size_t errorAt = 0;
            const auto key = engine::unescapeKey(std::string_view(line.constData(), std::size_t(line.size())), &errorAt);
            if (!key) {
                ++bad;
                ctx.err << QStringLiteral("cachelensctl match: line %1: not an escaped key (bad escape at column %2), skipped")
                               .arg(lineNo)
                               .arg(qulonglong(errorAt) + 1)
                        << Qt::endl;
                continue;
            }
            if (engine::globMatch(glob, *key) == invert) continue;
            ++matched;
            if (!countOnly) ctx.out << QString::fromUtf8(engine::escapeKey(*key)) << '\n';
        }
        if (countOnly) ctx.out << matched << '\n';
        return bad ? int(Failed) : int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
