#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"

#include "connectors/RedisSource.h"
#include "connectors/invalidate/SnapshotFile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace cachelens::ctl {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ctl", text); }

QJsonObject toJson(const RestoreReport& r, const SnapshotInfo& info)
{
    QJsonObject o{{QStringLiteral("total"), qint64(r.total)},
                  {QStringLiteral("restored"), qint64(r.restored)},
                  {QStringLiteral("skippedExisting"), qint64(r.skippedExisting)},
                  {QStringLiteral("skippedExpired"), qint64(r.skippedExpired)},
                  {QStringLiteral("failed"), qint64(r.failed)},
                  {QStringLiteral("unconfirmed"), qint64(r.unconfirmed)},
                  {QStringLiteral("restoredBefore"), qint64(r.restoredBefore)},
                  {QStringLiteral("dryRun"), r.dryRun},
                  {QStringLiteral("interrupted"), r.interrupted},
                  {QStringLiteral("cancelled"), r.cancelled},
                  {QStringLiteral("seconds"), r.seconds},
                  {QStringLiteral("snapshot"), QJsonObject{{QStringLiteral("path"), r.path},
                                                           {QStringLiteral("connection"), info.connection},
                                                           {QStringLiteral("target"), info.target},
                                                           {QStringLiteral("created"), info.created.toString(Qt::ISODateWithMs)},
                                                           {QStringLiteral("keys"), info.keys}}}};
    if (r.error.isError())
        o.insert(QStringLiteral("error"), r.error.message);
    return o;
}

} // namespace

// `cachelensctl restore URL|NAME FILE [--yes] [--dry-run] [--rate N] [--batch N] [--confirm NAME] [--json]`: puts a
// purge snapshot (purge --snapshot) back with RESTORE, never over a key that exists again. Without --yes it only
// says what it would restore (EXISTS per key) and exits 2; read-only profiles are refused, production ones need
// --confirm NAME; every real run is in the audit log first. Exit 1 when the server refused keys or the connection
// was lost (restoring again continues with the keys not yet restored).
Command restoreCommand()
{
    Command c;
    c.name = QStringLiteral("restore");
    c.connects = true;
    c.changesData = true;
    c.summary = tr("put the keys of a purge snapshot back (dry run first; --yes to restore), audited");
    c.usage = QStringLiteral("cachelensctl restore URL FILE [--dry-run] [--yes] [--rate N] [--batch N] [--confirm NAME] "
                             "[--json]   (FILE: a path, or a name in the snapshots directory)");
    c.options = {urlArgument(),
                 option("FILE", "a snapshot written by purge --snapshot: a path, or a name in the snapshots directory"),
                 option("--dry-run", "only say what would be restored (the default without --yes)"),
                 option("--yes", "restore (without it nothing is restored and the exit code is 2)"),
                 option("--rate N", "restore at most N keys per second"),
                 option("--batch N", "RESTOREs per pipelined batch (default 1000)"),
                 option("--confirm NAME", "the connection's name, required for a production connection"),
                 option("--json", "print the report as one JSON object")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("restore");
        QCommandLineParser parser;
        parser.addPositionalArgument(QStringLiteral("url"), QString());
        parser.addPositionalArgument(QStringLiteral("file"), QString());
        parser.addOption({QStringLiteral("dry-run"), QString()});
        parser.addOption({QStringLiteral("yes"), QString()});
        parser.addOption({QStringLiteral("rate"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("batch"), QString(), QStringLiteral("n")});
        parser.addOption({QStringLiteral("confirm"), QString(), QStringLiteral("name")});
        parser.addOption({QStringLiteral("json"), QString()});
        if (!parser.parse(QStringList{name} + ctx.args))
            return misuse(ctx, name, parser.errorText());
        if (parser.positionalArguments().size() != 2)
            return misuse(ctx, name, QStringLiteral("expects a URL or saved connection name, then a snapshot file"));
        RestoreOptions options;
        options.dryRun = parser.isSet(QStringLiteral("dry-run")) || !parser.isSet(QStringLiteral("yes"));
        for (const auto& [option, target] : {std::pair{QStringLiteral("rate"), &options.maxKeysPerSecond}}) {
            if (!parser.isSet(option))
                continue;
            bool ok = false;
            *target = parser.value(option).toLongLong(&ok);
            if (!ok || *target <= 0)
                return misuse(ctx, name, QStringLiteral("--%1 needs a positive number").arg(option));
        }
        if (parser.isSet(QStringLiteral("batch"))) {
            bool ok = false;
            options.batchSize = parser.value(QStringLiteral("batch")).toInt(&ok);
            if (!ok || options.batchSize <= 0)
                return misuse(ctx, name, QStringLiteral("--batch needs a positive number"));
        }
        QString file = parser.positionalArguments().at(1);
        if (!QFileInfo::exists(file) && !file.contains(QLatin1Char('/')))   // a name from the snapshots directory
            file = QDir(SnapshotFile::defaultDirectory()).filePath(file);
        const bool json = parser.isSet(QStringLiteral("json"));

        int code = Ok;
        const auto target = resolveTarget(ctx, name, parser.positionalArguments().first(), code);
        if (!target)
            return code;
        const Confirmation confirmation{parser.value(QStringLiteral("confirm"))};
        if (!options.dryRun && refusedChange(ctx, name, *target, confirmation))
            return int(Failed);
        SnapshotInfo info;
        {
            SnapshotFile snapshot;
            if (!snapshot.open(file, true) || !snapshot.verify()) {
                ctx.err << "cachelensctl restore: " << snapshot.errorString() << Qt::endl;
                return int(Failed);
            }
            info = snapshot.info();
        }
        const auto source = openSource(ctx, name, *target);
        if (!source)
            return int(Failed);
        const RestoreReport report = awaitReport(source.get(), &Source::restoreFinished,
                                                 [&] { source->restoreSnapshot(1, file, options, confirmation); });
        if (json) {
            ctx.out << QJsonDocument(toJson(report, info)).toJson(QJsonDocument::Compact) << Qt::endl;
        } else {
            ctx.out << "snapshot " << QDir::toNativeSeparators(file) << ": " << info.keys << " keys of "
                    << info.target << " on " << info.connection << ", " << info.created.toString(Qt::ISODate) << '\n';
            ctx.out << (report.dryRun ? "would_restore=" : "restored=") << report.restored
                    << " skipped_existing=" << report.skippedExisting << " skipped_expired=" << report.skippedExpired
                    << " failed=" << report.failed << " unconfirmed=" << report.unconfirmed
                    << " restored_before=" << report.restoredBefore
                    << " seconds=" << QString::number(report.seconds, 'f', 3) << Qt::endl;
        }
        if (report.error.isError() || report.failed > 0 || report.unconfirmed > 0) {
            ctx.err << "cachelensctl restore: " << report.summary() << Qt::endl;
            if (report.interrupted)
                ctx.err << "cachelensctl restore: run it again to restore the keys not yet restored" << Qt::endl;
            return report.error.isError() ? exitCodeFor(report.error, report.restored > 0) : int(Failed);
        }
        if (!parser.isSet(QStringLiteral("yes")) && !parser.isSet(QStringLiteral("dry-run"))) {
            ctx.err << "cachelensctl restore: nothing restored: " << report.restored << " keys would be restored into "
                    << target->display << "; run again with --yes to restore them" << Qt::endl;
            return int(Misuse);
        }
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
