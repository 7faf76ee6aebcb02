// `cachelensctl purge` and `cachelensctl restore` through ctl::run against a real redis-server: refuses without --yes
// (and says what it would delete or restore), deletes exactly with --yes, prints matched/deleted/seconds or JSON,
// refuses read-only profiles and unconfirmed production ones, writes the audit log, exits non-zero on misuse and
// failures; --snapshot saves what a purge deletes and restore puts it back.
#include "CtlRun.h"
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/provider/RedisProvider.h"
#include <cachelens/cache.h>

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace cachelens;

using Out = test::CtlRun;
using test::runCtl;

class TestPurgeCtl : public QObject
{
    Q_OBJECT
    test::RedisServer m_server;

    qint64 dbsize() { return m_server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }
    void populate(int n, const QString& prefix)
    {
        m_server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(n), prefix});
    }
    QVector<AuditEntry> audit()
    {
        AuditStore store;
        return store.open(AuditStore::defaultPath()) ? store.entries() : QVector<AuditEntry>{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_purge_ctl"));
        QVERIFY(m_server.start());
    }
    void init()
    {
        QSettings().clear();
        m_server.cli({QStringLiteral("FLUSHALL")});
    }

    void refusesToDeleteWithoutYesAndSaysWhatItWould()
    {
        populate(300, QStringLiteral("user"));
        const Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.out.startsWith(QStringLiteral("matched=300 keyspace=300")), qPrintable(r.out));
        QVERIFY(r.err.contains(QStringLiteral("--yes")));
        QCOMPARE(dbsize(), 300);
        const Out dry = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                                QStringLiteral("--dry-run"), QStringLiteral("--yes")});
        QCOMPARE(dry.code, 0);
        QCOMPARE(dbsize(), 300);
    }

    void deletesWithYesPrintsFiguresAndAudits()
    {
        populate(2000, QStringLiteral("user"));
        populate(100, QStringLiteral("other"));
        const qint64 before = audit().size();
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                        QStringLiteral("--yes"), QStringLiteral("--rate"), QStringLiteral("100000")});
        QCOMPARE(r.code, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^matched=2000 deleted=2000 seconds=\\d+\\.\\d{3}\n$")).match(r.out).hasMatch(),
                 qPrintable(r.out + r.err));
        QCOMPARE(dbsize(), 100);
        const auto rows = audit();
        QCOMPARE(rows.size(), before + 1);
        QCOMPARE(rows.first().deleted, 2000);
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));

        populate(50, QStringLiteral("user"));
        r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                    QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("matched")).toInt(), 50);
        QCOMPARE(json.value(QStringLiteral("deleted")).toInt(), 50);
        QVERIFY(json.contains(QStringLiteral("seconds")));
    }

    void refusesReadOnlyAndUnconfirmedProductionProfiles()
    {
        populate(10, QStringLiteral("user"));
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("ro"), m_server.url(),
                         QStringLiteral("--read-only")}).code, 0);
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("prod"), m_server.url(),
                         QStringLiteral("--production")}).code, 0);
        Out r = runCtl({QStringLiteral("purge"), QStringLiteral("ro"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("read-only")));
        r = runCtl({QStringLiteral("purge"), QStringLiteral("prod"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes")});
        QCOMPARE(r.code, 1);   // refused, like read-only: misuse (2) is for arguments that cannot work
        QVERIFY(r.err.contains(QStringLiteral("--confirm")));
        QCOMPARE(dbsize(), 10);
        r = runCtl({QStringLiteral("purge"), QStringLiteral("prod"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes"),
                    QStringLiteral("--confirm"), QStringLiteral("prod")});
        QCOMPARE(r.code, 0);
        QCOMPARE(dbsize(), 0);
        QCOMPARE(audit().first().connection, QStringLiteral("prod"));
    }

    void tagPurgeDeletesTheProvidersTaggedKeysExactly()
    {
        provider::registerRedisProvider({}, "ctl-tags");
        engine::CacheOptions co;
        co.provider = "ctl-tags";
        co.providerUrl = m_server.url().toStdString();
        co.keyPrefix = "shop:";
        co.backgroundThread = false;
        engine::Cache cache(co);
        engine::SetOptions red;
        red.tags = {"red"};
        for (int i = 0; i < 40; ++i)
            QVERIFY(cache.set("item:" + std::to_string(i), "v", red).ok());
        QVERIFY(cache.set("plain", "v").ok());
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--tag"), QStringLiteral("red"),
                        QStringLiteral("--prefix"), QStringLiteral("shop:"), QStringLiteral("--dry-run")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("matched=40 ")), qPrintable(r.out + r.err));
        QCOMPARE(dbsize(), 42);   // 40 keys, the plain one, the tag set
        r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--tag"), QStringLiteral("red"),
                    QStringLiteral("--prefix"), QStringLiteral("shop:"), QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("matched")).toInt(), 40);
        QCOMPARE(json.value(QStringLiteral("deleted")).toInt(), 40);
        QCOMPARE(dbsize(), 1);
        QCOMPARE(audit().first().action, QStringLiteral("invalidate tag"));
        QCOMPARE(audit().first().deleted, 40);
    }

    void tagDryRunSaysWhatDeletingWouldDoAndTheKeyspace()
    {
        // A tag set whose members are plain keys (not the provider's values): deleting the tag removes none of them,
        // and the dry run says so, with the keys in the database beside it.
        m_server.cli({QStringLiteral("SET"), QStringLiteral("shop:a"), QStringLiteral("1")});
        m_server.cli({QStringLiteral("SET"), QStringLiteral("shop:b"), QStringLiteral("2")});
        m_server.cli({QStringLiteral("SADD"), QStringLiteral("shop:tag:loose"), QStringLiteral("shop:a"), QStringLiteral("shop:b")});
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--tag"), QStringLiteral("loose"),
                        QStringLiteral("--prefix"), QStringLiteral("shop:")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.out.startsWith(QStringLiteral("matched=0 keyspace=3 ")), qPrintable(r.out));
        QCOMPARE(r.out.count(QLatin1Char('\n')), 1);   // and no sample: none of them would go
        QVERIFY2(r.err.contains(QStringLiteral("nothing deleted: 0 keys would be deleted")), qPrintable(r.err));
        r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--tag"), QStringLiteral("loose"),
                    QStringLiteral("--prefix"), QStringLiteral("shop:"), QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("deleted")).toInt(), 0);
        QCOMPARE(m_server.cli({QStringLiteral("EXISTS"), QStringLiteral("shop:a"), QStringLiteral("shop:b")}), QByteArray("2"));
    }

    void interruptedPurgePrintsAResumeTokenThatFinishesTheRest()
    {
        // Every write reaches the append-only file before its reply, so what the server did survives its death.
        test::RedisServer::Options o;
        o.extraArgs = {QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--appendfsync"),
                       QStringLiteral("always")};
        test::RedisServer doomed(o);
        QVERIFY2(doomed.start(), qPrintable(doomed.errorString()));
        constexpr int kKeys = 20000;
        // Written by a script (not DEBUG POPULATE, which skips the AOF), so the keys are in the file too.
        doomed.cli({QStringLiteral("EVAL"),
                    QStringLiteral("for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'user:' .. i, 'v') end"),
                    QStringLiteral("0"), QString::number(kKeys)});
        QCOMPARE(doomed.cli({QStringLiteral("DBSIZE")}).toLongLong(), kKeys);
        // Kill the server once a few thousand keys are gone, from another thread (ctl::run blocks this one).
        std::atomic<bool> killed{false};
        std::thread killer([&] {
            for (int i = 0; i < 600 && !killed; ++i) {
                if (doomed.cli({QStringLiteral("DBSIZE")}).toLongLong() <= kKeys - 3000) {
                    doomed.kill();
                    killed = true;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        const Out first = runCtl({QStringLiteral("purge"), doomed.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                                  QStringLiteral("--yes"), QStringLiteral("--rate"), QStringLiteral("5000"),
                                  QStringLiteral("--json")});
        killer.join();
        QVERIFY(killed);
        QCOMPARE(first.code, 1);
        const QJsonObject part1 = QJsonDocument::fromJson(first.out.toUtf8()).object();
        QVERIFY2(part1.value(QStringLiteral("interrupted")).toBool(), qPrintable(first.out + first.err));
        const QString token = part1.value(QStringLiteral("resume")).toString();
        QVERIFY2(!token.isEmpty(), qPrintable(first.out));
        QVERIFY(first.err.contains(QStringLiteral("--resume ") + token));
        QCOMPARE(audit().first().outcome, QStringLiteral("interrupted"));

        QVERIFY2(doomed.restart(), qPrintable(doomed.errorString()));   // same port, same data directory
        const qint64 left = doomed.cli({QStringLiteral("DBSIZE")}).toLongLong();
        const qint64 deleted1 = part1.value(QStringLiteral("deleted")).toInteger();
        const qint64 unconfirmed1 = part1.value(QStringLiteral("unconfirmed")).toInteger();
        // What the first part confirmed is gone; of what it sent unanswered, some may be gone too.
        QVERIFY(kKeys - left >= deleted1 && kKeys - left <= deleted1 + unconfirmed1);

        const Out rest = runCtl({QStringLiteral("purge"), doomed.url(), QStringLiteral("--resume"), token,
                                 QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(rest.code, 0);
        const QJsonObject whole = QJsonDocument::fromJson(rest.out.toUtf8()).object();
        QCOMPARE(doomed.cli({QStringLiteral("DBSIZE")}).toLongLong(), 0);
        // A restarted server hashes keys with a new seed, so its old SCAN cursors are void: it was walked again.
        QCOMPARE(whole.value(QStringLiteral("rescannedNodes")).toInt(), 1);
        // The second part deleted exactly what was left; the figures add both parts.
        QCOMPARE(whole.value(QStringLiteral("deleted")).toInteger(), deleted1 + left);
        QVERIFY(whole.value(QStringLiteral("deleted")).toInteger() <= kKeys);
        QVERIFY(whole.value(QStringLiteral("deleted")).toInteger() >= kKeys - unconfirmed1);
        QCOMPARE(audit().first().outcome, QStringLiteral("completed"));
        QCOMPARE(audit().first().deleted, left);

        const Out bad = runCtl({QStringLiteral("purge"), doomed.url(), QStringLiteral("--resume"), QStringLiteral("nonsense")});
        QCOMPARE(bad.code, 2);
        QVERIFY(bad.err.contains(QStringLiteral("token")));
    }

    void resumedPurgeAddsUpBothPartsAndItsSnapshotLineHoldsThem()
    {
        constexpr qint64 kKeys = 150000;
        populate(int(kKeys), QStringLiteral("user"));
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("purge.snapshot.db"));
        // Once part of the keys are gone, the server holds writes until the purge's next UNLINK waits (with the
        // commands sent after it), then closes at once, its replies unsent, a client whose replies outgrow its 16 KB
        // buffer by a byte, and lets writes go on: the UNLINK runs, and the DUMPs or SCAN page after it outgrow the
        // buffer, so it is never answered (as when a connection drops just after the server ran a command).
        std::atomic<bool> limited{false};
        std::thread limiter([&] {
            auto cli = [&](const QStringList& args) { return m_server.cli(args); };
            for (int i = 0; i < 1500 && !limited; ++i) {
                if (dbsize() <= kKeys - 20000) {
                    cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("20000"), QStringLiteral("WRITE")});
                    for (int w = 0; w < 1000 && !cli({QStringLiteral("INFO"), QStringLiteral("clients")}).contains("blocked_clients:1"); ++w)
                        std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit"),
                         QStringLiteral("normal 1 0 0")});
                    cli({QStringLiteral("CLIENT"), QStringLiteral("UNPAUSE")});
                    limited = true;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
        const Out first = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                                  QStringLiteral("--yes"), QStringLiteral("--snapshot=") + file, QStringLiteral("--json")});
        limiter.join();
        m_server.cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit"),
                      QStringLiteral("normal 0 0 0")});
        QVERIFY(limited);
        QCOMPARE(first.code, 1);
        const QJsonObject part1 = QJsonDocument::fromJson(first.out.toUtf8()).object();
        QVERIFY2(part1.value(QStringLiteral("interrupted")).toBool(), qPrintable(first.out + first.err));
        const QString token = part1.value(QStringLiteral("resume")).toString();
        QVERIFY2(!token.isEmpty(), qPrintable(first.out));
        // What the first part reports is what left the database, its unanswered commands included: the server was
        // reachable again, so every one of them was asked about.
        QCOMPARE(part1.value(QStringLiteral("unconfirmed")).toInteger(), 0);
        QCOMPARE(part1.value(QStringLiteral("deleted")).toInteger(), kKeys - dbsize());

        const Out rest = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--resume"), token,
                                 QStringLiteral("--yes")});
        QCOMPARE(rest.code, 0);
        QCOMPARE(dbsize(), 0);
        const QStringList lines = rest.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("matched=%1 deleted=%1 seconds=").arg(kKeys)), qPrintable(rest.out));
        SnapshotFile snapshot;
        QVERIFY(snapshot.open(file, true));
        QCOMPARE(snapshot.keys(), kKeys);   // every deleted key, once, from both parts
        QCOMPARE(lines.at(1), QStringLiteral("snapshot=%1 keys=%2 bytes=%3").arg(file).arg(kKeys).arg(snapshot.bytes()));
    }

    void resumeAccountsForWhatTheLostConnectionMayHaveDeletedWhenTheServerStayedAway_data()
    {
        QTest::addColumn<bool>("snapshot");
        QTest::addRow("with a snapshot: asked by name, exact") << true;
        QTest::addRow("without a snapshot: the bound is stated") << false;
    }
    void resumeAccountsForWhatTheLostConnectionMayHaveDeletedWhenTheServerStayedAway()
    {
        // As above, but the server lets nobody in again once the connection dropped (a password is set meanwhile), so
        // the first part cannot ask about its unanswered UNLINKs, which the server may have run: it reports them as
        // "may have been deleted". A snapshot names those keys, and the resumed part asks EXISTS about them before it
        // deletes anything, so the whole adds up to exactly what left the database. Without one, nothing knows their
        // names any more: the resumed report says how many more may have been deleted.
        QFETCH(bool, snapshot);
        constexpr qint64 kKeys = 100000;
        const QString password = QStringLiteral("stay-away");
        QTemporaryDir dir;
        QString file;
        // The purge's client waits on its UNLINK with commands queued behind it and every earlier reply sent.
        auto readyToCut = [&] {
            const QByteArray list = m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")});
            for (const QByteArray& line : list.split('\n')) {
                if (!line.contains(" flags=b "))
                    continue;
                auto field = [&line](const QByteArray& name) {
                    const qsizetype at = line.indexOf(' ' + name + '=');
                    const qsizetype from = at + name.size() + 2;
                    return at < 0 ? -1 : line.mid(from, line.indexOf(' ', from) - from).toLongLong();
                };
                return field("qbuf") >= 20000 && field("obl") == 0 && field("oll") == 0;
            }
            return false;
        };
        auto cutOnce = [&] {
            populate(int(kKeys), QStringLiteral("user"));
            std::atomic<bool> limited{false};
            std::thread limiter([&] {
                auto cli = [&](const QStringList& args) { return m_server.cli(args); };
                for (int i = 0; i < 1500 && !limited; ++i) {
                    if (dbsize() <= kKeys - 20000) {
                        cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("20000"), QStringLiteral("WRITE")});
                        for (int w = 0; w < 1000 && !readyToCut(); ++w)
                            std::this_thread::sleep_for(std::chrono::milliseconds(10));
                        cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit"),
                             QStringLiteral("normal 1 0 0")});
                        cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("requirepass"), password});
                        cli({QStringLiteral("-a"), password, QStringLiteral("--no-auth-warning"), QStringLiteral("CLIENT"),
                             QStringLiteral("UNPAUSE")});
                        limited = true;
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            });
            // Fixed batches of 1,000 (no latency budget), so the pages and DUMPs queued behind the UNLINK are big.
            QStringList purge{QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                              QStringLiteral("--yes"), QStringLiteral("--latency-budget"), QStringLiteral("0"),
                              QStringLiteral("--json")};
            if (snapshot)
                purge << QStringLiteral("--snapshot=") + file;
            const Out out = runCtl(purge);
            limiter.join();
            for (const QStringList& reset : {QStringList{QStringLiteral("client-output-buffer-limit"), QStringLiteral("normal 0 0 0")},
                                             QStringList{QStringLiteral("requirepass"), QString()}})
                m_server.cli(QStringList{QStringLiteral("-a"), password, QStringLiteral("--no-auth-warning"),
                                         QStringLiteral("CONFIG"), QStringLiteral("SET")} + reset);
            return out;
        };
        // Whether replies big enough to outgrow the buffer wait behind the UNLINK is up to the purge's pipeline at
        // that moment; when none did, the UNLINK was answered and nothing is unconfirmed: set the scene again.
        Out first;
        QJsonObject part1;
        for (int attempt = 1; attempt <= 5; ++attempt) {
            m_server.cli({QStringLiteral("FLUSHALL")});
            file = dir.filePath(QStringLiteral("purge-%1.snapshot.db").arg(attempt));
            first = cutOnce();
            part1 = QJsonDocument::fromJson(first.out.toUtf8()).object();
            if (part1.value(QStringLiteral("unconfirmed")).toInteger() > 0)
                break;
        }
        QCOMPARE(first.code, 1);
        QVERIFY2(part1.value(QStringLiteral("interrupted")).toBool(), qPrintable(first.out + first.err));
        const qint64 deleted1 = part1.value(QStringLiteral("deleted")).toInteger();
        const qint64 unconfirmed1 = part1.value(QStringLiteral("unconfirmed")).toInteger();
        const qint64 gone = kKeys - dbsize();
        // What was sent unanswered is counted only as what may have been deleted.
        const QString figures = QStringLiteral("%1 gone, %2 deleted, %3 unconfirmed").arg(gone).arg(deleted1).arg(unconfirmed1);
        QVERIFY2(deleted1 <= gone && gone <= deleted1 + unconfirmed1, qPrintable(figures));
        QVERIFY2(unconfirmed1 > 0, qPrintable(figures));
        QVERIFY2(first.err.contains(QStringLiteral("%1 more may have been deleted").arg(QLocale().toString(unconfirmed1))),
                 qPrintable(first.err));
        const QString token = part1.value(QStringLiteral("resume")).toString();
        QVERIFY2(!token.isEmpty(), qPrintable(first.out));

        const Out rest = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--resume"), token,
                                 QStringLiteral("--yes")});
        QCOMPARE(rest.code, 0);
        QCOMPARE(dbsize(), 0);
        const QStringList lines = rest.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (!snapshot) {
            // The resumed part deleted what was left; of the first part's unanswered keys, it cannot tell which went.
            const qint64 deleted = deleted1 + (kKeys - gone);
            QVERIFY2(QRegularExpression(QStringLiteral("^matched=%1 deleted=%1 unconfirmed=%2 seconds=\\d+\\.\\d{3}\n$")
                                            .arg(deleted).arg(unconfirmed1)).match(rest.out).hasMatch(),
                     qPrintable(rest.out));
            QVERIFY(deleted <= kKeys && kKeys <= deleted + unconfirmed1);
            return;
        }
        QCOMPARE(lines.size(), 2);
        QVERIFY2(QRegularExpression(QStringLiteral("^matched=%1 deleted=%1 seconds=\\d+\\.\\d{3}$").arg(kKeys)).match(lines.at(0)).hasMatch(),
                 qPrintable(rest.out));
        SnapshotFile file1;
        QVERIFY(file1.open(file, true));
        QCOMPARE(file1.keys(), kKeys);   // every deleted key, once, from both parts
        QCOMPARE(lines.at(1), QStringLiteral("snapshot=%1 keys=%2 bytes=%3").arg(file).arg(kKeys).arg(file1.bytes()));
    }

    void snapshotThenRestoreFromTheCommandLine()
    {
        populate(1000, QStringLiteral("user"));
        populate(10, QStringLiteral("other"));
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                        QStringLiteral("--yes"), QStringLiteral("--snapshot")});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("matched=1000 deleted=1000 seconds=")), qPrintable(r.out));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("^snapshot=(.+) keys=1000 bytes=\\d+$")).match(lines.at(1));
        QVERIFY2(m.hasMatch(), qPrintable(lines.at(1)));
        const QString path = m.captured(1);
        QVERIFY2(path.startsWith(SnapshotFile::defaultDirectory()), qPrintable(path));   // the default place
        QCOMPARE(dbsize(), 10);

        // Without --yes: what it would restore, nothing written, exit 2.
        m_server.cli({QStringLiteral("SET"), QStringLiteral("user:1"), QStringLiteral("fresh")});
        r = runCtl({QStringLiteral("restore"), m_server.url(), path});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.out.contains(QStringLiteral("would_restore=999 skipped_existing=1 skipped_expired=0")), qPrintable(r.out));
        QVERIFY(r.err.contains(QStringLiteral("--yes")));
        QCOMPARE(dbsize(), 11);

        // By its file name alone (it is in the snapshots directory), for real, as JSON.
        const qint64 rows = audit().size();
        r = runCtl({QStringLiteral("restore"), m_server.url(), QFileInfo(path).fileName(), QStringLiteral("--yes"),
                    QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("restored")).toInt(), 999);
        QCOMPARE(json.value(QStringLiteral("skippedExisting")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("snapshot")).toObject().value(QStringLiteral("target")).toString(),
                 QStringLiteral("pattern user:*"));
        QCOMPARE(dbsize(), 1010);
        QCOMPARE(m_server.cli({QStringLiteral("GET"), QStringLiteral("user:1")}), QByteArray("fresh"));
        QCOMPARE(audit().size(), rows + 1);
        QCOMPARE(audit().first().action, QStringLiteral("restore snapshot"));
        QCOMPARE(audit().first().outcome, QStringLiteral("completed"));
    }

    void snapshotFileAndLimitFromTheCommandLine()
    {
        populate(5000, QStringLiteral("user"));
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("before-deploy.snapshot.db"));
        // --snapshot FILE (after the URL), and a limit that stops the purge part way: exit 1, the reason on stderr.
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                        QStringLiteral("--snapshot"), file, QStringLiteral("--snapshot-limit"), QStringLiteral("0.05"),
                        QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("reached its limit of 51.2 KiB")), qPrintable(r.err));
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonObject snapshot = json.value(QStringLiteral("snapshot")).toObject();
        QCOMPARE(snapshot.value(QStringLiteral("path")).toString(), file);
        QVERIFY(snapshot.value(QStringLiteral("limitReached")).toBool());
        const qint64 deleted = json.value(QStringLiteral("deleted")).toInteger();
        QVERIFY(deleted > 0 && deleted < 5000);
        QCOMPARE(snapshot.value(QStringLiteral("keys")).toInteger(), deleted);
        QCOMPARE(dbsize(), 5000 - deleted);
        QCOMPARE(audit().first().outcome, QStringLiteral("stopped"));
        r = runCtl({QStringLiteral("restore"), m_server.url(), file, QStringLiteral("--yes")});
        QCOMPARE(r.code, 0);
        QCOMPARE(dbsize(), 5000);

        // Misuse: a limit without --snapshot, --snapshot with --tag; read-only profiles cannot restore.
        QCOMPARE(runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("a*"),
                         QStringLiteral("--snapshot-limit"), QStringLiteral("5")}).code, 2);
        QCOMPARE(runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--tag"), QStringLiteral("t"),
                         QStringLiteral("--snapshot")}).code, 2);
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("ro2"), m_server.url(),
                         QStringLiteral("--read-only")}).code, 0);
        r = runCtl({QStringLiteral("restore"), QStringLiteral("ro2"), file, QStringLiteral("--yes")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("read-only")));
        r = runCtl({QStringLiteral("restore"), m_server.url(), dir.filePath(QStringLiteral("nope.snapshot.db"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("does not exist")), qPrintable(r.err));
    }

    void misuseAndFailures_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        const QString url = QStringLiteral("redis://127.0.0.1:%1");
        QTest::addRow("no pattern") << QStringList{QStringLiteral("URL")} << 2;
        QTest::addRow("both") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--tag"), QStringLiteral("t")} << 2;
        QTest::addRow("invalid pattern") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a[b"), QStringLiteral("--yes")} << 2;
        QTest::addRow("bad rate") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--rate"), QStringLiteral("x")} << 2;
        QTest::addRow("server down") << QStringList{QStringLiteral("DOWN"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--yes")} << 1;
    }
    void misuseAndFailures()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        args.replaceInStrings(QStringLiteral("URL"), m_server.url());
        args.replaceInStrings(QStringLiteral("DOWN"), QStringLiteral("redis://127.0.0.1:%1").arg(test::RedisServer::freePort()));
        const Out r = runCtl(QStringList{QStringLiteral("purge")} + args);
        QCOMPARE(r.code, code);
        QVERIFY(!r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPurgeCtl)
#include "tst_purge_ctl.moc"
