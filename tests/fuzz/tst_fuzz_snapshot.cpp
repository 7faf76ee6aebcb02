// The snapshot reader (connectors/invalidate/SnapshotFile) on a real snapshot file — written by SnapshotFile itself,
// with DUMP payloads of the format Redis writes — whose pages are damaged at random: overwritten with garbage or
// zeros, replaced by another page, bit-flipped, cut off, swapped. Opening, listing, checking and reading it never
// crash; a refusal is a sentence; a file that passes verify() yields only rows a restore can trust.
#include "Fuzz.h"

#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/DumpPayload.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;
using namespace cachelens::test::fuzz;

namespace {

constexpr qsizetype kPage = 4096;   // SQLite's default page size, which the snapshot keeps

// A DUMP payload of a string value as Redis 7 writes it: type 0, the RDB length-prefixed bytes, RDB version 11,
// CRC-64 of all that.
QByteArray dumpOf(const QByteArray& value)
{
    QByteArray p(1, '\0');
    if (value.size() < 64) {
        p += char(value.size());
    } else {   // 14-bit length, big-endian
        p += char(0x40 | (value.size() >> 8));
        p += char(value.size() & 0xff);
    }
    p += value;
    p += QByteArray::fromHex("0b00");
    const std::uint64_t crc = redis::redisCrc64(p.constData(), p.size());
    for (int b = 0; b < 8; ++b)
        p += char(crc >> (8 * b));
    return p;
}

// Writes each case's file under a new name and removes it: rewriting one file in place makes ext4 flush it on close.
class CaseFile
{
public:
    explicit CaseFile(const QString& dir) : m_path(QDir(dir).filePath(QStringLiteral("case-%1.snapshot.db").arg(++s_serial))) {}
    ~CaseFile() { SnapshotFile::remove(m_path, nullptr); }
    const QString& path() const { return m_path; }

private:
    static inline int s_serial = 0;
    QString m_path;
};

void damage(QByteArray& file, Rng& rng)
{
    if (file.isEmpty())
        return;
    const qsizetype pages = (file.size() + kPage - 1) / kPage;   // the last one may be cut short
    const qsizetype page = qsizetype(rng.below(std::uint64_t(pages))) * kPage;
    switch (rng.below(7)) {
    case 0:   // a page of garbage
        for (qsizetype i = page; i < qMin(file.size(), page + kPage); ++i)
            file[i] = rng.byte();
        break;
    case 1:   // a page of zeros
        file.replace(page, qMin(kPage, file.size() - page), QByteArray(qMin(kPage, file.size() - page), '\0'));
        break;
    case 2: { // another page's content
        const qsizetype other = qsizetype(rng.below(std::uint64_t(pages))) * kPage;
        file.replace(page, kPage, file.mid(other, kPage));
        break;
    }
    case 3:   // bit flips in one page
        for (int n = rng.between(1, 8); n > 0; --n)
            file[page + qsizetype(rng.below(std::uint64_t(qMin(kPage, file.size() - page))))] ^= char(1u << rng.below(8));
        break;
    case 4:   // cut off, at a page boundary or not
        file.truncate(rng.chance(2) ? page : qsizetype(rng.below(std::uint64_t(file.size()))));
        break;
    case 5:   // a few bytes somewhere (a header field, a cell pointer, a record header, a value)
        for (int n = rng.between(1, 4); n > 0; --n)
            file[qsizetype(rng.below(std::uint64_t(file.size())))] = rng.byte();
        break;
    default: { // two pages swapped
        const qsizetype other = qsizetype(rng.below(std::uint64_t(pages))) * kPage;
        const QByteArray a = file.mid(page, kPage), b = file.mid(other, kPage);
        file.replace(other, b.size(), a.left(b.size()));
        file.replace(page, a.size(), b.left(a.size()));
        break;
    }
    }
}

struct Counts {
    int opened = 0, passed = 0;
};

void check(const QString& path, Counts& counts)
{
    SnapshotFile f;
    if (!f.open(path, true)) {
        QVERIFY2(isSentence(f.errorString()), qPrintable(f.errorString()));
        return;
    }
    ++counts.opened;
    (void)f.info();
    (void)f.pendingCount();
    if (!f.verify()) {
        QVERIFY2(isSentence(f.errorString()), qPrintable(f.errorString()));
        return;
    }
    ++counts.passed;
    // Passed: every row is one a restore can send as it is.
    for (const SnapshotRow& row : f.pending(0, 100000)) {
        QVERIFY2(row.pttlMs >= -1, qPrintable(QString::number(row.pttlMs)));
        QVERIFY(redis::hasValidDumpChecksum(row.payload));
        QVERIFY(row.takenMs > 0);
    }
}

} // namespace

class FuzzSnapshot : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir{QDir(QDir::tempPath()).filePath(QStringLiteral("tst_fuzz_snapshot-XXXXXX"))};
    // A tmpfs when there is one: tens of thousands of small files.
    QTemporaryDir m_shm{QStringLiteral("/dev/shm/tst_fuzz_snapshot-XXXXXX")};
    QString m_work;
    QByteArray m_original;

private slots:
    void initTestCase()
    {
        m_work = m_shm.isValid() ? m_shm.path() : m_dir.path();
        const QString path = QDir(m_work).filePath(QStringLiteral("original.snapshot.db"));
        SnapshotFile f;
        SnapshotInfo meta;
        meta.connection = QStringLiteral("fuzz");
        meta.target = QStringLiteral("pattern user:*");
        QVERIFY2(f.create(path, meta), qPrintable(f.errorString()));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVector<SnapshotRow> rows;
        for (int i = 0; i < 48; ++i) {
            const QByteArray value = i == 7 ? QByteArray(9000, 'v') + QByteArray::number(i) : "value:" + QByteArray::number(i);
            rows.append(SnapshotRow{0, "user:" + QByteArray::number(i) + (i % 10 == 3 ? QByteArray("\0\xff", 2) : QByteArray()),
                                    i % 4 == 0 ? -1 : 1000 * i, dumpOf(value), now - i, QStringLiteral("127.0.0.1:6379")});
        }
        QVERIFY(f.append(rows.mid(0, 24)) && f.append(rows.mid(24)));
        QVERIFY(f.setState(QStringLiteral("complete")));
        QVERIFY2(f.verify(), qPrintable(f.errorString()));
        f.close();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        m_original = file.readAll();
        QVERIFY(m_original.size() >= 4 * kPage);
    }

    void damagedSnapshotsAreRefusedWithASentenceOrReadSoundly()
    {
        Counts counts;
        run("snapshot", [&](Rng& rng, QByteArray& input) {
            QByteArray bytes = m_original;
            for (int n = rng.chance(4) ? rng.between(2, 4) : 1; n > 0; --n)
                damage(bytes, rng);
            input = QByteArray::number(rng.next());   // the seed says it all; the bytes are the file's
            const CaseFile file(m_work);
            {
                QFile out(file.path());
                QVERIFY(out.open(QIODevice::WriteOnly));
                QCOMPARE(out.write(bytes), bytes.size());
            }
            check(file.path(), counts);
            if (rng.chance(16)) {   // the Snapshots list reads every file in the directory, damaged or not
                for (const SnapshotInfo& info : SnapshotFile::list(m_work))
                    QVERIFY2(info.error.isEmpty() || isSentence(info.error), qPrintable(info.error));
            }
        });
        qInfo("%d opened, %d of them passed the check", counts.opened, counts.passed);
    }
};

QTEST_APPLESS_MAIN(FuzzSnapshot)
#include "tst_fuzz_snapshot.moc"
