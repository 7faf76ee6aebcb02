#include "connectors/ctl/Commands.h"
#include "connectors/RedisSource.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include <cachelens/key_escape.h>

#include <QCoreApplication>

#include <limits>
#include <optional>

namespace cachelens::ctl {

namespace {

// "90", "90s", "15m", "2h", "7d" → seconds; nullopt when it is not a whole number with an optional unit.
std::optional<qint64> parseSeconds(const QString& text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 unit = 1;
    QString number = text;
    const QChar last = text.back();
    if (last == QLatin1Char('s') || last == QLatin1Char('m') || last == QLatin1Char('h') || last == QLatin1Char('d')) {
        unit = last == QLatin1Char('s') ? 1 : last == QLatin1Char('m') ? 60 : last == QLatin1Char('h') ? 3600 : 86400;
        number.chop(1);
    }
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    if (!ok || n > std::numeric_limits<qint64>::max() / 1000 / unit || n < std::numeric_limits<qint64>::min() / 1000 / unit)
        return std::nullopt;
    return n * unit;
}

QString describeTtl(qint64 pttl)
{
    if (pttl == -1)
        return QStringLiteral("no expiry");
    const qint64 s = (pttl + 999) / 1000;
    return QStringLiteral("%1 s remaining").arg(s);
}

} // namespace

// `cachelensctl ttl URL KEY [SECONDS|persist] [--confirm NAME]`: read a key's TTL, set it (seconds, or with a unit:
// 15m, 2h, 7d) or remove it. A change goes through the connection's guard: refused on read-only connections, needs
// --confirm NAME on production ones, and is in the audit log before it runs. KEY is in the escaped form
// `cachelensctl scan` prints, so binary keys can be named. A TTL that is not positive is refused: Redis would delete
// the key, and deleting is not what a TTL command should do by accident.
Command ttlCommand()
{
    Command c;
    c.name = QStringLiteral("ttl");
    c.connects = true;
    c.changesData = true;
    c.summary = QCoreApplication::translate("ctl", "show, set or remove the TTL of one key (KEY as printed by scan)");
    c.usage = QStringLiteral("cachelensctl ttl URL KEY [SECONDS|15m|2h|7d|persist] [--confirm NAME]");
    c.options = {urlArgument(),
                 option("KEY", "the key, escaped as 'cachelensctl scan' prints it (\\\\, \\n, \\r, \\t, \\xHH)"),
                 option("SECONDS|15m|2h|7d", "set the TTL (whole seconds, or with a unit); without it the TTL is shown"),
                 option("persist", "remove the TTL: the key no longer expires"),
                 option("--confirm NAME", "the connection's name, required to change a TTL on a production connection")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("ttl");
        QString confirm;
        if (const qsizetype at = ctx.args.indexOf(QStringLiteral("--confirm")); at >= 0) {
            if (at + 1 >= ctx.args.size())
                return misuse(ctx, name, QStringLiteral("--confirm needs the connection's name"));
            confirm = ctx.args.at(at + 1);
            ctx.args.remove(at, 2);
        }
        if (ctx.args.size() < 2 || ctx.args.size() > 3)
            return misuse(ctx, name, QStringLiteral("expects URL KEY [SECONDS|persist], e.g. ttl redis://localhost:6379 user:42 3600"));
        const QByteArray escaped = ctx.args.at(1).toUtf8();
        std::size_t badAt = 0;
        const auto raw = engine::unescapeKey(std::string_view(escaped.constData(), std::size_t(escaped.size())), &badAt);
        if (!raw)
            return misuse(ctx, name, QStringLiteral("KEY has a bad escape at byte %1 (use \\\\, \\n, \\r, \\t or \\xHH)").arg(badAt));
        const QByteArray key(raw->data(), qsizetype(raw->size()));
        enum class Action { Show, Set, Persist } action = Action::Show;
        qint64 seconds = 0;
        if (ctx.args.size() == 3) {
            const QString arg = ctx.args.at(2);
            if (arg.compare(QLatin1String("persist"), Qt::CaseInsensitive) == 0) {
                action = Action::Persist;
            } else {
                const auto parsed = parseSeconds(arg);
                if (!parsed)
                    return misuse(ctx, name, QStringLiteral("'%1' is not a TTL: give whole seconds, or 15m, 2h, 7d, or persist").arg(arg));
                if (*parsed <= 0)
                    return misuse(ctx, name, QStringLiteral("a TTL of %1 s would delete the key at once; give a positive TTL "
                                                            "(nothing was changed)").arg(*parsed));
                action = Action::Set;
                seconds = *parsed;
            }
        }
        int code = Ok;
        const auto target = resolveTarget(ctx, name, ctx.args.first(), code);
        if (!target)
            return code;
        const Confirmation confirmation{confirm};
        if (action != Action::Show && refusedChange(ctx, name, *target, confirmation))
            return int(Failed);
        const auto source = openSource(ctx, name, *target);
        if (!source)
            return int(Failed);
        const QString shown = ctx.args.at(1);
        // The key's type and TTL as the Keys panel reads them (TYPE + PTTL): None when it does not exist.
        const auto details = [&]() -> std::optional<KeyEntry> {
            QEventLoop loop;
            std::optional<KeyEntry> info;
            QString problem;
            QObject::connect(source.get(), &Source::keyDetailsReady, &loop, [&](const KeyBatch& batch) {
                if (!batch.keys.isEmpty())
                    info = batch.keys.first();
                loop.quit();
            });
            QObject::connect(source.get(), &Source::error, &loop, [&](quint64, const SourceError& e) {
                problem = e.message;
                loop.quit();
            });
            source->keyDetails(1, {key});
            loop.exec();
            if (!problem.isEmpty())
                ctx.err << "cachelensctl ttl: " << problem << Qt::endl;
            return info;
        };
        if (action == Action::Show) {
            const auto info = details();
            if (!info)
                return int(Failed);
            if (info->type == KeyType::None) {
                ctx.err << "cachelensctl ttl: no key " << shown << Qt::endl;
                return int(Failed);
            }
            ctx.out << shown << ": " << describeTtl(info->ttlMs) << Qt::endl;
            return int(Ok);
        }
        // The change itself goes through the connection's guard, like every change (audited first).
        const qint64 ttlMs = action == Action::Persist ? -1 : seconds * 1000;
        const KeyOpResult result = awaitReport(source.get(), &Source::keysChanged,
                                               [&] { source->setTtl(2, {key}, ttlMs, confirmation); });
        if (result.error.isError()) {
            ctx.err << "cachelensctl ttl: " << result.error.message << Qt::endl;
            return exitCodeFor(result.error, false);
        }
        if (action == Action::Persist) {
            if (result.affected == 1) {
                ctx.out << shown << ": expiry removed" << Qt::endl;
                return int(Ok);
            }
            const auto info = details();
            if (info && info->type != KeyType::None) {
                ctx.out << shown << ": already had no expiry" << Qt::endl;
                return int(Ok);
            }
            ctx.err << "cachelensctl ttl: no key " << shown << Qt::endl;
            return int(Failed);
        }
        if (result.affected != 1) {
            ctx.err << "cachelensctl ttl: no key " << shown << " (nothing was changed)" << Qt::endl;
            return int(Failed);
        }
        ctx.out << shown << ": TTL set to " << seconds << " s" << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
