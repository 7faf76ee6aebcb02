#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/RedisSource.h"
#include "connectors/profiles/ProfileStore.h"

#include "engine/key_escape.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

// Runs one invalidation on a source living on this thread and waits for its report on a local event loop.
InvalidationReport invalidate(RedisSource& source, const std::function<void()>& start)
{
    QEventLoop loop;
    std::optional<InvalidationReport> report;
    QObject::connect(&source, &Source::invalidationFinished, &loop, [&](const InvalidationReport& r) {
        report = r;
        loop.quit();
    });
    start();
    if (!report)
        loop.exec();
    return *report;
}

// What an interrupted pattern purge needs to continue, as one opaque word a pipeline can pass back with --resume:
// base64url of {"v":1,"match":…,"cursors":[[node,cursor],…],"deleted":N,"seconds":S} (match and cursors base64).
struct ResumeState {
    QByteArray glob;
    QList<QPair<QString, QByteArray>> cursors;
    quint64 deleted = 0;
    double seconds = 0;
};

QByteArray encodeResume(const QByteArray& glob, const InvalidationReport& r, const ResumeState* earlier)
{
    QJsonArray cursors;
    for (const auto& [node, cursor] : r.resumeCursors)
        cursors.append(QJsonArray{node, QString::fromLatin1(cursor.toBase64())});
    const QJsonObject o{{QStringLiteral("v"), 1},
                        {QStringLiteral("match"), QString::fromLatin1(glob.toBase64())},
                        {QStringLiteral("cursors"), cursors},
                        {QStringLiteral("deleted"), qint64(r.deleted + (earlier ? earlier->deleted : 0))},
                        {QStringLiteral("seconds"), r.seconds + (earlier ? earlier->seconds : 0)}};
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
    s.deleted = quint64(o.value(QStringLiteral("deleted")).toInteger());
    s.seconds = o.value(QStringLiteral("seconds")).toDouble();
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
    return o;
}

} // namespace

// `cachelensctl purge URL (--match GLOB | --tag TAG…) [--dry-run] [--yes] [--rate N] [--json]`: for deploy pipelines.
// Without --yes it only says what it would delete (and exits 2); read-only profiles are refused; production
// profiles also need --confirm NAME. Every real run is in the audit log before it starts. --tag deletes the keys of
// the redis cache provider's tag sets under --prefix (and tells running applications' L1 caches). A pattern purge
// whose connection dropped prints a --resume token (JSON: "resume") that continues it from its saved per-master
// cursors; the resumed run's figures cover both parts.
Command purgeCommand()
{
    Command c;
    c.name = QStringLiteral("purge");
    c.summary = tr("delete the keys matching a pattern or carrying a tag (dry run first; --yes to delete), audited");
    c.usage = QStringLiteral("cachelensctl purge URL (--match GLOB | --tag TAG [--tag TAG…] [--prefix P]) [--dry-run] "
                             "[--yes] [--rate N] [--resume TOKEN] [--expire-jitter S] [--include-new] [--latency-budget MS] [--batch N] [--confirm NAME] [--json]");
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
        if (!parser.parse(QStringList{name} + ctx.args))
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
        const QByteArray glob = earlier ? earlier->glob : parser.value(QStringLiteral("match")).toUtf8();
        if (earlier)
            options.resumeCursors = earlier->cursors;
        const bool json = parser.isSet(QStringLiteral("json"));

        const QString target = parser.positionalArguments().first();
        std::optional<ConnectionProfile> profile;
        if (!target.contains(QStringLiteral("://")))
            profile = ProfileStore().find(target);
        if (profile && profile->readOnly) {
            ctx.err << "cachelensctl purge: refused: the connection '" << profile->name
                    << "' is read-only (clear its read-only flag to purge)" << Qt::endl;
            return int(Failed);
        }
        if (profile && profile->production && !options.dryRun
            && parser.value(QStringLiteral("confirm")) != profile->name) {
            ctx.err << "cachelensctl purge: refused: '" << profile->name
                    << "' is a production connection; add --confirm '" << profile->name << "'" << Qt::endl;
            return int(Misuse);
        }
        ConnectionUrl url;
        if (profile) {
            url = profile->url;
            QString problem;
            if (const auto secret = readSecret(profile->id, &problem))
                url.password = *secret;
        } else {
            const auto parsed = ConnectionUrl::parse(target);
            if (!parsed.ok()) {
                ctx.err << "cachelensctl purge: " << parsed.error << '\n' << parsed.pointedError(target) << Qt::endl;
                return int(Misuse);
            }
            url = *parsed.url;
        }
        RedisSource::Options sourceOptions;
        sourceOptions.client.maxReconnectAttempts = 0;
        const QString display = profile ? profile->name : url.toString();
        RedisSource source(profile ? profile->id : QStringLiteral("cli"), display, url, sourceOptions);
        {
            QEventLoop loop;
            ConnectionState state = ConnectionState::Connecting;
            QString detail;
            QObject::connect(&source, &Source::stateChanged, &loop, [&](ConnectionState s, const QString& d) {
                state = s;
                detail = d;
                if (s == ConnectionState::Ready || s == ConnectionState::Failed || s == ConnectionState::Reconnecting)
                    loop.quit();
            });
            source.open();
            loop.exec();
            if (state != ConnectionState::Ready) {
                ctx.err << "cachelensctl purge: " << detail << Qt::endl;
                return int(Failed);
            }
        }
        const QByteArray prefix = parser.value(QStringLiteral("prefix")).toUtf8();
        InvalidationReport report = invalidate(source, [&] {
            if (tags.isEmpty())
                source.invalidatePattern(1, glob, options);
            else
                source.invalidateTags(1, prefix, tags, options);
        });
        QByteArray resumeToken;
        if (tags.isEmpty() && !report.dryRun && report.interrupted && !report.resumeCursors.isEmpty())
            resumeToken = encodeResume(glob, report, earlier ? &*earlier : nullptr);
        if (earlier && !report.dryRun) {
            // The figures cover the whole purge. Keys the first part matched but did not delete are matched again
            // after its saved cursor, so the whole matched what the first part deleted plus what this part matched.
            report.matched += earlier->deleted;
            report.deleted += earlier->deleted;
            report.seconds += earlier->seconds;
        }
        if (json) {
            QJsonObject o = toJson(report);
            if (!resumeToken.isEmpty())
                o.insert(QStringLiteral("resume"), QString::fromLatin1(resumeToken));
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << Qt::endl;
        } else if (report.dryRun && !report.error.isError()) {
            ctx.out << "matched=" << report.matched << " keyspace=" << report.keyspace;
            if (report.estimatedMemoryBytes >= 0)
                ctx.out << " memory=" << formatBytes(report.estimatedMemoryBytes);
            ctx.out << " seconds=" << QString::number(report.seconds, 'f', 3) << '\n';
            for (const QByteArray& key : report.sample)
                ctx.out << "  " << escaped(key) << '\n';
            ctx.out.flush();
        } else {
            ctx.out << "matched=" << report.matched << " deleted=" << report.deleted
                    << " seconds=" << QString::number(report.seconds, 'f', 3) << Qt::endl;
        }
        if (report.error.isError()) {
            ctx.err << "cachelensctl purge: " << report.summary() << Qt::endl;
            if (!resumeToken.isEmpty())
                ctx.err << "cachelensctl purge: to continue where it stopped, run it again with --resume "
                        << resumeToken << Qt::endl;
            return report.error.kind == SourceError::Kind::InvalidArgument && report.deleted == 0 && report.matched == 0
                       ? int(Misuse) : int(Failed);
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
