#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/RedisSource.h"
#include "connectors/support/Units.h"

#include <cachelens/key_escape.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <functional>
#include <optional>

namespace cachelens::ctl {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ctl", text); }

QString escaped(const QByteArray& key)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size()))));
}

// What an interrupted pattern purge needs to continue, as one opaque word a pipeline can pass back with --resume:
// base64url of {"v":1,"match":…,"cursors":[[node,cursor],…],"deleted":N,"unconfirmed":U,"seconds":S} (match and
// cursors base64; the figures of every part so far), with "snapshot" and "snapshotLimit" when it was snapshotting
// (the rest goes into the same file).
struct ResumeState {
    QByteArray glob;
    QList<QPair<QString, QByteArray>> cursors;
    InvalidationReport::EarlierPart done;
    QString snapshot;
    qint64 snapshotLimit = 0;
};

// `whole`: the report of every part so far.
QByteArray encodeResume(const QByteArray& glob, const InvalidationReport& whole, const InvalidateOptions& options)
{
    QJsonArray cursors;
    for (const auto& [node, cursor] : whole.resumeCursors)
        cursors.append(QJsonArray{node, QString::fromLatin1(cursor.toBase64())});
    QJsonObject o{{QStringLiteral("v"), 1},
                  {QStringLiteral("match"), QString::fromLatin1(glob.toBase64())},
                  {QStringLiteral("cursors"), cursors},
                  {QStringLiteral("deleted"), qint64(whole.deleted)},
                  {QStringLiteral("unconfirmed"), qint64(whole.unconfirmed)},
                  {QStringLiteral("seconds"), whole.seconds}};
    if (!whole.snapshotPath.isEmpty()) {
        o.insert(QStringLiteral("snapshot"), whole.snapshotPath);
        o.insert(QStringLiteral("snapshotLimit"), options.snapshotLimitBytes);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<ResumeState> decodeResume(const QString& token)
{
    const QJsonObject o = QJsonDocument::fromJson(
        QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding)).object();
    if (o.value(QStringLiteral("v")).toInt() != 1 || !o.value(QStringLiteral("cursors")).isArray())
        return std::nullopt;
    ResumeState s;
    s.glob = QByteArray::fromBase64(o.value(QStringLiteral("match")).toString().toLatin1());
    for (const QJsonValue& c : o.value(QStringLiteral("cursors")).toArray()) {
        const QJsonArray pair = c.toArray();
        if (pair.size() != 2)
            return std::nullopt;
        s.cursors.append({pair.at(0).toString(), QByteArray::fromBase64(pair.at(1).toString().toLatin1())});
    }
    s.done.deleted = quint64(o.value(QStringLiteral("deleted")).toInteger());
    s.done.unconfirmed = quint64(o.value(QStringLiteral("unconfirmed")).toInteger());   // absent in older tokens: 0
    s.done.seconds = o.value(QStringLiteral("seconds")).toDouble();
    s.snapshot = o.value(QStringLiteral("snapshot")).toString();
    s.snapshotLimit = o.value(QStringLiteral("snapshotLimit")).toInteger();
    if (s.glob.isEmpty() || s.cursors.isEmpty())
        return std::nullopt;
    return s;
}

QJsonObject toJson(const InvalidationReport& r)
{
    QJsonObject o{{QStringLiteral("matched"), qint64(r.matched)},
                  {QStringLiteral("deleted"), qint64(r.deleted)},
                  {QStringLiteral("seconds"), r.seconds},
                  {QStringLiteral("dryRun"), r.dryRun},
                  {QStringLiteral("keyspace"), qint64(r.keyspace)},
                  {QStringLiteral("interrupted"), r.interrupted},
                  {QStringLiteral("unconfirmed"), qint64(r.unconfirmed)},
                  {QStringLiteral("newKeysDeleted"), qint64(r.newKeysDeleted)},
                  {QStringLiteral("rescannedNodes"), r.rescannedNodes}};
    if (r.estimatedMemoryBytes >= 0)
        o.insert(QStringLiteral("estimatedMemoryBytes"), r.estimatedMemoryBytes);
    if (r.error.isError())
        o.insert(QStringLiteral("error"), r.error.message);
    if (!r.snapshotPath.isEmpty())
        o.insert(QStringLiteral("snapshot"), QJsonObject{{QStringLiteral("path"), r.snapshotPath},
                                                         {QStringLiteral("keys"), qint64(r.snapshotKeys)},
                                                         {QStringLiteral("bytes"), r.snapshotBytes},
                                                         {QStringLiteral("limitReached"), r.snapshotLimitReached}});
    return o;
}

// --snapshot takes an optional FILE, which QCommandLineParser cannot express. The word after --snapshot is its FILE
// when it is not an option and the URL came before ("purge URL --match 'a*' --snapshot FILE"); --snapshot=FILE
// always works. Returns the arguments without it; `snapshot` and `file` say what was given.
QStringList takeSnapshotOption(const QStringList& args, bool* snapshot, QString* file)
{
    static const QStringList withValue{QStringLiteral("--match"), QStringLiteral("--tag"), QStringLiteral("--prefix"),
                                       QStringLiteral("--rate"), QStringLiteral("--expire-jitter"),
                                       QStringLiteral("--latency-budget"), QStringLiteral("--batch"),
                                       QStringLiteral("--confirm"), QStringLiteral("--resume"),
                                       QStringLiteral("--snapshot-limit")};
    QStringList rest;
    bool urlSeen = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("--snapshot")) {
            *snapshot = true;
            if (urlSeen && i + 1 < args.size() && !args.at(i + 1).startsWith(QLatin1Char('-')))
                *file = args.at(++i);
            continue;
        }
        if (a.startsWith(QLatin1String("--snapshot="))) {
            *snapshot = true;
            *file = a.mid(11);
            continue;
        }
        rest << a;
        if (withValue.contains(a) && i + 1 < args.size())
            rest << args.at(++i);
        else if (!a.startsWith(QLatin1Char('-')))
            urlSeen = true;
    }
    return rest;
}

} // namespace

// `cachelensctl purge URL (--match GLOB | --tag TAG…) [--dry-run] [--yes] [--rate N] [--json]`: for deploy pipelines.
// Without --yes it only says what it would delete (and exits 2); read-only profiles are refused; production
// profiles also need --confirm NAME. Every real run is in the audit log before it starts. --tag deletes the keys of
// the redis cache provider's tag sets under --prefix (and tells running applications' L1 caches). A pattern purge
// whose connection dropped prints a --resume token (JSON: "resume") that continues it from its saved per-master
// cursors; the resumed run's figures cover both parts. --snapshot [FILE] saves every key (DUMP + PTTL) before it is
// deleted, for `cachelensctl restore` (--snapshot-limit MiB: stop before deleting more when the file would pass it).
Command purgeCommand()
{
    Command c;
    c.name = QStringLiteral("purge");
    c.connects = true;
    c.changesData = true;
    c.summary = tr("delete the keys matching a pattern or carrying a tag (dry run first; --yes to delete), audited");
    c.usage = QStringLiteral("cachelensctl purge URL (--match GLOB | --tag TAG [--tag TAG…] [--prefix P]) [--dry-run] "
                             "[--yes] [--rate N] [--resume TOKEN] [--expire-jitter S] [--include-new] [--latency-budget MS] [--batch N] "
                             "[--snapshot [FILE]] [--snapshot-limit MiB] [--confirm NAME] [--json]");
    c.options = {urlArgument(),
                 option("--match GLOB", "delete the keys matching this Redis glob (* ? [abc] [^a] [a-z] \\x)"),
                 option("--tag TAG", "delete the keys the redis cache provider tagged TAG (repeatable)"),
                 option("--prefix P", "the provider's key prefix of --tag's sets"),
                 option("--dry-run", "only count and show a sample of what would be deleted (the default without --yes)"),
                 option("--yes", "delete (without it nothing is deleted and the exit code is 2)"),
                 option("--rate N", "delete at most N keys per second"),
                 option("--resume TOKEN", "continue an interrupted pattern purge from the token it printed"),
                 option("--expire-jitter S", "give each key a random TTL of up to S seconds instead of deleting it (no stampede)"),
                 option("--include-new", "also delete keys created while the purge runs"),
                 option("--latency-budget MS", "shrink the batches while round trips take MS more than when idle (default 2; 0: fixed batches)"),
                 option("--batch N", "SCAN COUNT and keys per UNLINK to start with (default 1000)"),
                 option("--snapshot [FILE]", "save every key (DUMP + TTL) before deleting it, for cachelensctl restore"),
                 option("--snapshot-limit MiB", "stop before the snapshot file would pass MiB"),
                 option("--confirm NAME", "the connection's name, required for a production connection"),
                 option("--json", "print the report as one JSON object")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("purge");
        QCommandLineParser parser;
        parser.addPositionalArgument(QStringLiteral("url"), QString());
        parser.addOption({QStringLiteral("match"), QString(), QStringLiteral("glob")});
        parser.addOption({QStringLiteral("tag"), QString(), QStringLiteral("tag")});
        parser.addOption({QStringLiteral("prefix"), QString(), QStringLiteral("prefix")});
        parser.addOption({QStringLiteral("dry-run"), QString()});
        parser.addOption({QStringLiteral("yes"), QString()});
        parser.addOption({QStringLiteral("rate"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("expire-jitter"), QString(), QStringLiteral("seconds")});
        parser.addOption({QStringLiteral("include-new"), QString()});
        parser.addOption({QStringLiteral("latency-budget"), QString(), QStringLiteral("ms")});
        parser.addOption({QStringLiteral("batch"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("confirm"), QString(), QStringLiteral("name")});
        parser.addOption({QStringLiteral("json"), QString()});
        parser.addOption({QStringLiteral("resume"), QString(), QStringLiteral("token")});
        parser.addOption({QStringLiteral("snapshot-limit"), QString(), QStringLiteral("mb")});
        bool snapshot = false;
        QString snapshotFile;
        const QStringList args = takeSnapshotOption(ctx.args, &snapshot, &snapshotFile);
        if (!parser.parse(QStringList{name} + args))
            return misuse(ctx, name, parser.errorText());
        if (parser.positionalArguments().size() != 1)
            return misuse(ctx, name, QStringLiteral("expects exactly one URL or saved connection name"));
        std::optional<ResumeState> earlier;
        if (parser.isSet(QStringLiteral("resume"))) {
            earlier = decodeResume(parser.value(QStringLiteral("resume")));
            if (!earlier)
                return misuse(ctx, name, QStringLiteral("--resume needs the token an interrupted purge printed"));
            if (parser.isSet(QStringLiteral("tag"))
                || (parser.isSet(QStringLiteral("match")) && parser.value(QStringLiteral("match")).toUtf8() != earlier->glob))
                return misuse(ctx, name, QStringLiteral("--resume continues the purge of %1; give no other --match or --tag")
                                             .arg(QString::fromUtf8(earlier->glob)));
        } else if (parser.isSet(QStringLiteral("match")) == parser.isSet(QStringLiteral("tag"))) {
            return misuse(ctx, name, QStringLiteral("give exactly one of --match GLOB or --tag TAG"));
        }
        const QList<QByteArray> tags = [&] {
            QList<QByteArray> out;
            for (const QString& t : parser.values(QStringLiteral("tag")))
                out << t.toUtf8();
            return out;
        }();
        if (std::any_of(tags.begin(), tags.end(), [](const QByteArray& t) { return t.isEmpty(); }))
            return misuse(ctx, name, QStringLiteral("--tag needs a tag name"));
        if (parser.isSet(QStringLiteral("prefix")) && tags.isEmpty())
            return misuse(ctx, name, QStringLiteral("--prefix is the key prefix of --tag's sets; it needs --tag"));
        InvalidateOptions options;
        options.dryRun = parser.isSet(QStringLiteral("dry-run")) || !parser.isSet(QStringLiteral("yes"));
        options.newKeys = parser.isSet(QStringLiteral("include-new")) ? InvalidateOptions::NewKeys::Include
                                                                       : InvalidateOptions::NewKeys::Exclude;
        for (const auto& [option, target] : {std::pair{QStringLiteral("rate"), &options.maxKeysPerSecond},
                                             std::pair{QStringLiteral("expire-jitter"), &options.expireJitterSeconds}}) {
            if (!parser.isSet(option))
                continue;
            bool ok = false;
            *target = parser.value(option).toLongLong(&ok);
            if (!ok || *target <= 0)
                return misuse(ctx, name, QStringLiteral("--%1 needs a positive number").arg(option));
        }
        if (parser.isSet(QStringLiteral("latency-budget"))) {
            bool ok = false;
            options.latencyBudgetMs = parser.value(QStringLiteral("latency-budget")).toDouble(&ok);
            if (!ok || options.latencyBudgetMs < 0)
                return misuse(ctx, name, QStringLiteral("--latency-budget needs milliseconds (0 = off)"));
        }
        if (parser.isSet(QStringLiteral("batch"))) {
            bool ok = false;
            options.batchSize = parser.value(QStringLiteral("batch")).toInt(&ok);
            if (!ok || options.batchSize <= 0)
                return misuse(ctx, name, QStringLiteral("--batch needs a positive number"));
        }
        if (parser.isSet(QStringLiteral("snapshot-limit")) && !snapshot)
            return misuse(ctx, name, QStringLiteral("--snapshot-limit is the size limit of --snapshot; it needs --snapshot"));
        if (snapshot && !tags.isEmpty())
            return misuse(ctx, name, QStringLiteral("--snapshot works with --match (tags are invalidated atomically by "
                                                    "the engine's script, which cannot snapshot first)"));
        if (snapshot) {
            options.snapshot = true;
            options.snapshotPath = snapshotFile;
            if (parser.isSet(QStringLiteral("snapshot-limit"))) {
                bool ok = false;
                const double mb = parser.value(QStringLiteral("snapshot-limit")).toDouble(&ok);
                if (!ok || mb <= 0)
                    return misuse(ctx, name, QStringLiteral("--snapshot-limit needs a size in MiB (e.g. 512)"));
                options.snapshotLimitBytes = qint64(mb * 1024 * 1024);
            }
        }
        const QByteArray glob = earlier ? earlier->glob : parser.value(QStringLiteral("match")).toUtf8();
        if (tags.isEmpty() && !acceptGlob(ctx, name, glob))
            return int(Misuse);
        if (earlier) {
            options.resumeCursors = earlier->cursors;
            if (!earlier->snapshot.isEmpty() && !snapshot) {   // the first part's snapshot takes the rest too
                options.snapshot = true;
                options.snapshotPath = earlier->snapshot;
                options.snapshotLimitBytes = earlier->snapshotLimit;
            }
        }
        const bool json = parser.isSet(QStringLiteral("json"));

        int code = Ok;
        const auto target = resolveTarget(ctx, name, parser.positionalArguments().first(), code);
        if (!target)
            return code;
        const Confirmation confirmation{parser.value(QStringLiteral("confirm"))};
        if (!options.dryRun && refusedChange(ctx, name, *target, confirmation))
            return int(Failed);
        const QString display = target->display;
        const auto opened = openSource(ctx, name, *target);
        if (!opened)
            return int(Failed);
        RedisSource& source = *opened;
        const QByteArray prefix = parser.value(QStringLiteral("prefix")).toUtf8();
        InvalidationReport report = awaitReport(&source, &Source::invalidationFinished, [&] {
            if (tags.isEmpty())
                source.invalidatePattern(1, glob, options, confirmation);
            else
                source.invalidateTags(1, prefix, tags, options, confirmation);
        });
        if (earlier && !report.dryRun)   // the figures cover the whole purge
            report = report.withEarlierPart(earlier->done);
        QByteArray resumeToken;
        if (tags.isEmpty() && !report.dryRun && report.interrupted && !report.resumeCursors.isEmpty())
            resumeToken = encodeResume(glob, report, options);
        if (json) {
            QJsonObject o = toJson(report);
            if (!resumeToken.isEmpty())
                o.insert(QStringLiteral("resume"), QString::fromLatin1(resumeToken));
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << Qt::endl;
        } else if (report.dryRun && !report.error.isError()) {
            ctx.out << "matched=" << report.matched << " keyspace=" << report.keyspace;
            if (report.estimatedMemoryBytes >= 0)
                ctx.out << " memory=" << formatBytes(report.estimatedMemoryBytes, 1, QLocale::c());
            ctx.out << " seconds=" << QString::number(report.seconds, 'f', 3) << '\n';
            for (const QByteArray& key : report.sample)
                ctx.out << "  " << escaped(key) << '\n';
            ctx.out.flush();
        } else {
            ctx.out << "matched=" << report.matched << " deleted=" << report.deleted;
            if (report.unconfirmed > 0)   // sent, never answered, never asked about: maybe deleted too
                ctx.out << " unconfirmed=" << report.unconfirmed;
            ctx.out << " seconds=" << QString::number(report.seconds, 'f', 3) << '\n';
            if (!report.snapshotPath.isEmpty())   // a line of its own: the first one stays what pipelines parse
                ctx.out << "snapshot=" << report.snapshotPath << " keys=" << report.snapshotKeys
                        << " bytes=" << report.snapshotBytes << '\n';
            ctx.out.flush();
        }
        if (report.error.isError()) {
            ctx.err << "cachelensctl purge: " << report.summary() << Qt::endl;
            if (!resumeToken.isEmpty())
                ctx.err << "cachelensctl purge: to continue where it stopped, run it again with --resume "
                        << resumeToken << Qt::endl;
            return exitCodeFor(report.error, report.deleted > 0);
        }
        if (!parser.isSet(QStringLiteral("yes")) && !parser.isSet(QStringLiteral("dry-run"))) {
            ctx.err << "cachelensctl purge: nothing deleted: " << report.matched
                    << " keys would be deleted from " << display << "; run again with --yes to delete them" << Qt::endl;
            return int(Misuse);
        }
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
