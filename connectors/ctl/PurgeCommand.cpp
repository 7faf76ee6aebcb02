#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/RedisSource.h"
#include "connectors/profiles/ProfileStore.h"

#include "engine/key_escape.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>

namespace cachelens::ctl {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ctl", text); }

QString escaped(const QByteArray& key)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size()))));
}

// Runs one invalidation on a source living on this thread and waits for its report on a local event loop.
InvalidationReport invalidate(RedisSource& source, const QByteArray& glob, const InvalidateOptions& options)
{
    QEventLoop loop;
    std::optional<InvalidationReport> report;
    QObject::connect(&source, &Source::invalidationFinished, &loop, [&](const InvalidationReport& r) {
        report = r;
        loop.quit();
    });
    source.invalidatePattern(1, glob, options);
    if (!report)
        loop.exec();
    return *report;
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
                  {QStringLiteral("newKeysDeleted"), qint64(r.newKeysDeleted)}};
    if (r.estimatedMemoryBytes >= 0)
        o.insert(QStringLiteral("estimatedMemoryBytes"), r.estimatedMemoryBytes);
    if (r.error.isError())
        o.insert(QStringLiteral("error"), r.error.message);
    return o;
}

} // namespace

// `cachelensctl purge URL (--match GLOB | --tag TAG) [--dry-run] [--yes] [--rate N] [--json]`: for deploy pipelines.
// Without --yes it only says what it would delete (and exits 2); read-only profiles are refused; production
// profiles also need --confirm NAME. Every real run is in the audit log before it starts.
Command purgeCommand()
{
    Command c;
    c.name = QStringLiteral("purge");
    c.summary = tr("delete the keys matching a pattern (dry run first; --yes to delete), audited");
    c.usage = QStringLiteral("cachelensctl purge URL (--match GLOB | --tag TAG) [--dry-run] [--yes] [--rate N] "
                             "[--expire-jitter S] [--include-new] [--latency-budget MS] [--batch N] [--confirm NAME] [--json]");
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("purge");
        QCommandLineParser parser;
        parser.addPositionalArgument(QStringLiteral("url"), QString());
        parser.addOption({QStringLiteral("match"), QString(), QStringLiteral("glob")});
        parser.addOption({QStringLiteral("tag"), QString(), QStringLiteral("tag")});
        parser.addOption({QStringLiteral("dry-run"), QString()});
        parser.addOption({QStringLiteral("yes"), QString()});
        parser.addOption({QStringLiteral("rate"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("expire-jitter"), QString(), QStringLiteral("seconds")});
        parser.addOption({QStringLiteral("include-new"), QString()});
        parser.addOption({QStringLiteral("latency-budget"), QString(), QStringLiteral("ms")});
        parser.addOption({QStringLiteral("batch"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("confirm"), QString(), QStringLiteral("name")});
        parser.addOption({QStringLiteral("json"), QString()});
        if (!parser.parse(QStringList{name} + ctx.args))
            return misuse(ctx, name, parser.errorText());
        if (parser.positionalArguments().size() != 1)
            return misuse(ctx, name, QStringLiteral("expects exactly one URL or saved connection name"));
        if (parser.isSet(QStringLiteral("match")) == parser.isSet(QStringLiteral("tag")))
            return misuse(ctx, name, QStringLiteral("give exactly one of --match GLOB or --tag TAG"));
        if (parser.isSet(QStringLiteral("tag")))
            return misuse(ctx, name, QStringLiteral("tag invalidation over Redis is not available yet; use --match"));
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
        const QByteArray glob = parser.value(QStringLiteral("match")).toUtf8();
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
        const InvalidationReport report = invalidate(source, glob, options);
        if (json) {
            ctx.out << QJsonDocument(toJson(report)).toJson(QJsonDocument::Compact) << Qt::endl;
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
