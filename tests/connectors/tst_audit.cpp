// The audit store on real SQLite files: rows written before and completed after an action, filtering, CSV export,
// and files it must refuse (damaged, newer schema, unwritable) with a sentence saying why.
#include "connectors/audit/AuditStore.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace cachelens;

class TestAudit : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void rowIsStartedThenCompleted()
    {
        AuditStore store;
        QVERIFY2(store.open(m_dir.filePath(QStringLiteral("a.db"))), qPrintable(store.errorString()));
        const qint64 id = store.begin(AuditEntry::now(QStringLiteral("prod-cache"), QStringLiteral("purge pattern"),
                                                      QStringLiteral("user:*")));
        QVERIFY(id > 0);
        QCOMPARE(store.entries().first().outcome, QStringLiteral("started"));
        QCOMPARE(store.entries().first().matched, -1);
        QVERIFY(store.finish(id, 500, 499, QStringLiteral("interrupted"), QStringLiteral("deleted 499 of 500 keys")));
        const AuditEntry e = store.entries().first();
        QCOMPARE(e.outcome, QStringLiteral("interrupted"));
        QCOMPARE(e.matched, 500);
        QCOMPARE(e.deleted, 499);
        QCOMPARE(e.connection, QStringLiteral("prod-cache"));
        QVERIFY(!e.host.isEmpty());
        QVERIFY(qAbs(e.time.secsTo(QDateTime::currentDateTimeUtc())) < 3600);
    }

    void filterMatchesAnyColumnAndTime()
    {
        AuditStore store;
        QVERIFY(store.open(m_dir.filePath(QStringLiteral("f.db"))));
        AuditEntry a = AuditEntry::now(QStringLiteral("prod"), QStringLiteral("purge pattern"), QStringLiteral("user:*"));
        a.time = QDateTime(QDate(2026, 1, 1), QTime(10, 0), Qt::UTC);
        AuditEntry b = AuditEntry::now(QStringLiteral("staging"), QStringLiteral("invalidate tag"), QStringLiteral("catalog"));
        b.time = QDateTime(QDate(2026, 2, 1), QTime(10, 0), Qt::UTC);
        b.outcome = QStringLiteral("completed");
        QVERIFY(store.record(a) && store.record(b));
        QCOMPARE(store.entries().size(), 2);
        QCOMPARE(store.entries().first().connection, QStringLiteral("staging"));   // newest first
        QCOMPARE(store.entries({QStringLiteral("PROD"), {}, {}, 100}).size(), 1);
        QCOMPARE(store.entries({QStringLiteral("catalog"), {}, {}, 100}).first().action, QStringLiteral("invalidate tag"));
        QCOMPARE(store.entries({{}, QDateTime(QDate(2026, 1, 15), QTime(0, 0), Qt::UTC), {}, 100}).size(), 1);
    }

    void exportsRfc4180Csv()
    {
        AuditEntry e = AuditEntry::now(QStringLiteral("a, \"quoted\" name"), QStringLiteral("purge pattern"), QStringLiteral("x:*"));
        e.time = QDateTime(QDate(2026, 3, 4), QTime(5, 6, 7), Qt::UTC);
        e.user = QStringLiteral("ops");
        e.host = QStringLiteral("h1");
        e.matched = 3;
        e.deleted = 2;
        e.outcome = QStringLiteral("cancelled");
        e.detail = QStringLiteral("deleted 2 of 3 keys, cancelled");
        QBuffer out;
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(AuditStore::exportCsv({e}, out));
        QCOMPARE(out.data(), QByteArray("time,user,host,connection,action,target,matched,deleted,outcome,detail\r\n"
                                        "2026-03-04T05:06:07.000Z,ops,h1,\"a, \"\"quoted\"\" name\",purge pattern,x:*,3,2,"
                                        "cancelled,\"deleted 2 of 3 keys, cancelled\"\r\n"));
    }

    void refusesFilesItCannotTrust_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addRow("damaged") << QStringLiteral("damaged");
        QTest::addRow("newer schema") << QStringLiteral("newer");
        QTest::addRow("a directory") << QStringLiteral("directory");
    }
    void refusesFilesItCannotTrust()
    {
        QFETCH(QString, kind);
        QString path = m_dir.filePath(kind + QStringLiteral(".db"));
        if (kind == QLatin1String("damaged")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        } else if (kind == QLatin1String("newer")) {
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        } else {
            path = m_dir.path();
        }
        AuditStore store;
        QVERIFY(!store.open(path));
        QVERIFY(!store.errorString().isEmpty());
        QCOMPARE(store.begin(AuditEntry::now(QStringLiteral("c"), QStringLiteral("purge pattern"), QStringLiteral("*"))), 0);
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
