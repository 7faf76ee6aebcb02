// The trace readers (engine/sim/trace_file) on mutated text and u64le files, and the tap recorder
// (engine/sim/tap_recording) on random tap records: never crash; a refusal names the file and says why; a trace that
// loads is consistent (one op per request or none, every text key named) and replays and makes a curve; a recording
// saved as text reads back as the same requests.
#include "Fuzz.h"

#include <cachelens/sim/mrc.h>
#include <cachelens/sim/replay.h>
#include <cachelens/sim/tap_recording.h>
#include <cachelens/sim/trace_file.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <set>
#include <string>

using namespace cachelens;
using namespace cachelens::engine;
using namespace cachelens::engine::sim;
using namespace cachelens::test::fuzz;

namespace {

const QList<QByteArray> kText{
    "user:1\nuser:2\nuser:1\n",
    "a\r\nb\r\n\r\n# comment\nc\n",
    "1,user:1,get\n2,user:2,set\n3,user:1,del\n4,user:2,GET\n",
    "0.000001,k,r\n0.5,k,w\n1.25,k,d\n2,k,read\n3,k,write\n4,k,delete\n",
    "  spaced key  \n\tkey\t\n",
    "1, a , get \n2,b,SET\n",
    "only-one-line-without-newline",
    "\xc3\xa9t\xc3\xa9\n\xff\xfe\n",
};
const QList<QByteArray> kTextTokens{"\n", "\r\n", "\r", ",", ",,", "#", " ", "\t", "get", "set", "del", "put", "GET",
                                    "\0", "1,a,get\n", "\n\n\n"};

// Each case writes a new file and removes it: rewriting one file in place makes ext4 flush it to disk on every close
// (its replace-by-truncate heuristic), which turns seconds into minutes.
class CaseFile
{
public:
    CaseFile(const QString& dir, const char* suffix)
        : m_path(QDir(dir).filePath(QStringLiteral("case-%1%2").arg(++s_serial).arg(QLatin1String(suffix))))
    {
    }
    ~CaseFile() { QFile::remove(m_path); }
    std::string path() const { return m_path.toStdString(); }
    bool write(const QByteArray& bytes) const
    {
        QFile f(m_path);
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    }

private:
    static inline int s_serial = 0;
    QString m_path;
};

void checkLoaded(const Trace& t, bool text)
{
    QVERIFY(t.ops.empty() || t.ops.size() == t.keys.size());
    if (text) {
        std::set<std::string> distinct(t.names.begin(), t.names.end());
        QCOMPARE(distinct.size(), t.names.size());   // one id per name
        for (const std::uint64_t k : t.keys)
            QVERIFY(k < t.names.size());
    }
    if (t.keys.empty())
        return;
    // What replay and mrc do with whatever loaded.
    const ReplayResult r = replayTrace(t, PolicyKind(t.keys.size() % 4), 1 + t.keys.size() % 7);
    QVERIFY(r.hits <= r.gets && r.gets <= r.requests && r.requests == t.keys.size());
    if (t.keys.size() % 32 == 0) {   // a curve sets up 0.5 MB of tables whatever the trace: not for every case
        const Mrc m = exactLruMrc(t.keys, {1, 2, 5, 100});
        for (const MrcPoint& p : m.points)
            QVERIFY(p.hitRatio >= 0 && p.hitRatio <= 1);
    }
}

void checkFile(const std::string& path, TraceFormat format, const QByteArray& bytes)
{
    std::string error;
    const auto t = loadTrace(path, format, error);
    if (!t) {
        QVERIFY2(error.rfind(path, 0) == 0, error.c_str());   // the file first, then why
        QVERIFY2(isSentence(QString::fromStdString(error.substr(path.size()))), error.c_str());
        if (format == TraceFormat::U64Le)
            QVERIFY(bytes.size() % 8 != 0);
        return;
    }
    if (format == TraceFormat::U64Le) {
        QCOMPARE(qsizetype(t->keys.size()) * 8, bytes.size());
        for (std::size_t i = 0; i < t->keys.size(); ++i) {
            std::uint64_t k = 0;
            for (int b = 0; b < 8; ++b)
                k |= std::uint64_t(static_cast<unsigned char>(bytes.at(qsizetype(i) * 8 + b))) << (8 * b);
            QCOMPARE(t->keys[i], k);
        }
    }
    checkLoaded(*t, format == TraceFormat::Text);
}

} // namespace

class FuzzTrace : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QTemporaryDir m_shm{QStringLiteral("/dev/shm/tst_fuzz_trace-XXXXXX")};   // a tmpfs when there is one
    const QString m_dir = m_shm.isValid() ? m_shm.path() : m_tmp.path();

private slots:
    void mutatedTextTracesLoadOrAreRefusedWithASentence()
    {
        const Mutator mutator(kText, kTextTokens, 2048);
        run("trace-text", [&](Rng& rng, QByteArray& input) {
            input = mutator.next(rng);
            const CaseFile file(m_dir, ".txt");
            QVERIFY(file.write(input));
            checkFile(file.path(), TraceFormat::Text, input);
        });
    }

    void mutatedBinaryTracesLoadOrAreRefusedWithASentence()
    {
        QByteArray ids;
        for (const std::uint64_t k : {std::uint64_t(1), std::uint64_t(2), std::uint64_t(1), ~std::uint64_t(0), std::uint64_t(1) << 40})
            ids.append(reinterpret_cast<const char*>(&k), 8);   // little-endian hosts: the file's own order
        const Mutator mutator({ids, ids + ids, QByteArray(8, '\0')}, {QByteArray(8, '\xff'), QByteArray(8, '\0')}, 1024);
        run("trace-u64", [&](Rng& rng, QByteArray& input) {
            input = mutator.next(rng);
            const CaseFile file(m_dir, ".bin");
            QVERIFY(file.write(input));
            checkFile(file.path(), TraceFormat::U64Le, input);
        });
    }

    // Random tap records (any op, any hash, times that go backwards too) make a trace that saves as text and reads
    // back as the same requests.
    void recordingsSaveAndReadBackAsTheSameRequests()
    {
        run("tap", [&](Rng& rng, QByteArray& input) {
            const CaseFile file(m_dir, ".txt");
            const std::string path = file.path();
            TapTraceBuilder builder;
            const int n = rng.between(0, 60);
            const std::uint64_t limit = rng.chance(4) ? rng.below(100) : 0;
            for (int i = 0; i < n; ++i) {
                TraceRecord r{};
                r.time = Nanos(rng.below(4'000'000'000)) - (rng.chance(8) ? Nanos(1'000'000'000) : 0);
                r.keyHash = rng.chance(2) ? rng.below(8) : rng.next();
                r.op = TraceOp(rng.below(4));
                builder.add(r, limit);
                input += QByteArray::number(int(r.op)) + ':' + QByteArray::number(qulonglong(r.keyHash)) + ' ';
            }
            const Trace& t = builder.trace();
            QVERIFY(limit == 0 || t.keys.size() <= limit);
            QCOMPARE(t.ops.size(), t.keys.size());
            QCOMPARE(builder.hits() + builder.misses() + builder.fills() <= std::uint64_t(n), true);
            std::string error;
            QVERIFY2(saveTraceText(path, t, error), error.c_str());
            const auto back = loadTrace(path, TraceFormat::Text, error);
            QVERIFY2(back, error.c_str());
            QCOMPARE(back->keys.size(), t.keys.size());
            const bool anyWrite = std::any_of(t.ops.begin(), t.ops.end(), [](TraceRequest op) { return op != TraceRequest::Get; });
            for (std::size_t i = 0; i < t.keys.size(); ++i) {
                QCOMPARE(back->names.at(back->keys[i]), std::to_string(t.keys[i]));
                if (anyWrite)
                    QCOMPARE(int(back->op(i)), int(t.ops[i]));
            }
            if (rng.chance(4))   // the text reader's own checks are the other test's; replaying is not this one's point
                checkLoaded(*back, true);
        });
    }
};

QTEST_APPLESS_MAIN(FuzzTrace)
#include "tst_fuzz_trace.moc"
