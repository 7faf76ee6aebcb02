// The RESP reply path (connectors/redis/RespCodec: hiredis's reader, then RedisReply) on streams of random replies,
// mutated or not, fed in random chunk splits: never crashes; what is decoded does not depend on how the bytes were
// split; an unmutated stream decodes to exactly the replies it encodes; a stream that is not RESP stops with a
// sentence, and nothing is decoded after it.
#include "Fuzz.h"

#include "connectors/redis/RedisReply.h"
#include "connectors/redis/RespCodec.h"

#include <QFile>
#include <QTest>

using namespace cachelens;
using namespace cachelens::redis;
using namespace cachelens::test::fuzz;

namespace {

QByteArray bulk(const QByteArray& b) { return '$' + QByteArray::number(b.size()) + "\r\n" + b + "\r\n"; }

// A random reply of the kinds servers send (hiredis 0.14 reads arrays nested at most 7 deep), and its RESP bytes.
RedisReply randomReply(Rng& rng, QByteArray& out, int depth = 0)
{
    switch (rng.below(depth >= 6 ? 5 : 6)) {
    case 0: {
        QByteArray b(qsizetype(rng.below(rng.chance(16) ? 5000 : 24)), '\0');
        for (char& c : b)
            c = rng.chance(2) ? char('a' + rng.below(26)) : rng.byte();
        out += bulk(b);
        return RedisReply::string(b);
    }
    case 1: {
        static const char* const status[] = {"OK", "PONG", "QUEUED", "string", "none"};
        const QByteArray s = status[rng.below(std::size(status))];
        out += '+' + s + "\r\n";
        return RedisReply::status(s);
    }
    case 2: {
        static const char* const errors[] = {"ERR unknown command", "WRONGTYPE Operation against a key",
                                             "MOVED 3999 127.0.0.1:6381", "ASK 1 [::1]:7000", "NOAUTH Authentication required.",
                                             "ERR invalid password", "LOADING Redis is loading", "BUSYKEY Target key name already exists.",
                                             "CLUSTERDOWN", "MOVED x y:z", "MOVED 1 host:99999"};
        const QByteArray e = errors[rng.below(std::size(errors))];
        out += '-' + e + "\r\n";
        return RedisReply::error(RedisError::fromServerText(e));
    }
    case 3: {
        static const long long ints[] = {0, 1, -1, 42, 9223372036854775807LL, -9223372036854775807LL - 1};
        const long long v = rng.chance(2) ? ints[rng.below(std::size(ints))] : (long long)(rng.next() >> rng.below(64));
        out += ':' + QByteArray::number(v) + "\r\n";
        return RedisReply::integer(v);
    }
    case 4:
        out += rng.chance(2) ? QByteArray("$-1\r\n") : QByteArray("*-1\r\n");
        return RedisReply::nil();
    default: {
        QVector<RedisReply> elements;
        const int n = int(rng.below(rng.chance(8) ? 40 : 5));
        out += '*' + QByteArray::number(n) + "\r\n";
        for (int i = 0; i < n; ++i)
            elements.append(randomReply(rng, out, depth + 1));
        return RedisReply::array(std::move(elements));
    }
    }
}

bool same(const RedisReply& a, const RedisReply& b)
{
    if (a.type() != b.type() || a.bytes() != b.bytes() || a.toInteger() != b.toInteger()
        || a.error().kind != b.error().kind || a.elements().size() != b.elements().size())
        return false;
    for (qsizetype i = 0; i < a.elements().size(); ++i)
        if (!same(a.elements().at(i), b.elements().at(i)))
            return false;
    return true;
}

struct Decoded {
    QVector<RedisReply> replies;
    QString error;
};

// Feeds `bytes` in chunks of random sizes (single bytes, small, large), taking replies as they complete.
Decoded decode(const QByteArray& bytes, Rng& rng)
{
    RespDecoder decoder;
    Decoded d;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype chunk = qMin(bytes.size() - pos, qsizetype(rng.chance(4) ? 1 : 1 + rng.below(rng.chance(2) ? 16 : 4096)));
        decoder.feed(bytes.constData() + pos, chunk);
        pos += chunk;
        while (auto r = decoder.next())
            d.replies.append(*r);
        if (decoder.hasError())
            break;
    }
    if (decoder.hasError()) {
        d.error = decoder.errorString();
        if (decoder.next().has_value())   // a broken stream stays broken
            d.error = QStringLiteral("a reply after the error");
    }
    return d;
}

// What the rest of the program does with a reply: none of it may crash on what a server sent.
void use(const RedisReply& r)
{
    (void)r.toDisplayString();
    (void)r.toIntegerLenient();
    int slot = 0;
    QString host;
    quint16 port = 0;
    if (r.isError() && r.error().redirect(&slot, &host, &port))
        QVERIFY(port > 0);
    for (const RedisReply& e : r.elements())
        use(e);
}

const QList<QByteArray> kTokens{"\r\n", "\r", "\n", "*", "$", "+", "-", ":", "*-1\r\n", "$-1\r\n", "*2147483647\r\n",
                                "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n", "$2147483647\r\n", "$-2\r\n", ":-\r\n",
                                "%1\r\n", ">2\r\n", "_\r\n", "#t\r\n", ",1.5\r\n", "=5\r\ntxt:x\r\n"};

// The address space this process has reserved (Linux), in bytes: a calloc of gigabytes shows here at once.
qint64 addressSpace()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmSize:"))
            return line.mid(7).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}

} // namespace

class FuzzResp : public QObject
{
    Q_OBJECT
private slots:
    void repliesDecodeTheSameHoweverTheyAreSplit()
    {
        run("resp", [&](Rng& rng, QByteArray& input) {
            QVector<RedisReply> sent;
            QByteArray stream;
            for (int n = rng.between(1, 4); n > 0; --n)
                sent.append(randomReply(rng, stream));
            const bool mutated = !rng.chance(4);
            if (mutated) {
                const Mutator mutator({stream}, kTokens, 16384);
                stream = mutator.next(rng);
            }
            input = stream;
            const Decoded a = decode(stream, rng), b = decode(stream, rng);
            QCOMPARE(a.replies.size(), b.replies.size());
            for (qsizetype i = 0; i < a.replies.size(); ++i)
                QVERIFY(same(a.replies.at(i), b.replies.at(i)));
            QCOMPARE(a.error, b.error);
            QVERIFY2(a.error.isEmpty() || isSentence(a.error), qPrintable(a.error));
            if (!mutated) {
                QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
                QCOMPARE(a.replies.size(), sent.size());
                for (qsizetype i = 0; i < sent.size(); ++i)
                    QVERIFY(same(a.replies.at(i), sent.at(i)));
            }
            for (const RedisReply& r : a.replies)
                use(r);
        });
    }

    // The headers random cases made the decoder pay for: hiredis's own reply objects allocated the element table an
    // array header claims before any element arrived (16 GB for *2147483647, and seconds to free it).
    void aClaimedArrayCostsNothingUntilItsElementsArrive_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addRow("2^31 - 1 elements") << QByteArray("*2147483647\r\n:1\r\n");
        QTest::addRow("nested") << QByteArray("*2\r\n*2147483647\r\n$1\r\na\r\n");
        QTest::addRow("10^9 elements") << QByteArray("*1000000000\r\n");
    }
    void aClaimedArrayCostsNothingUntilItsElementsArrive()
    {
        QFETCH(QByteArray, input);
        const qint64 before = addressSpace();
        QVERIFY(before > 0);
        RespDecoder decoder;
        decoder.feed(input.constData(), input.size());
        QVERIFY(!decoder.next().has_value());   // still waiting for the elements
        QVERIFY(!decoder.hasError());
        const qint64 grown = addressSpace() - before;
        QVERIFY2(grown < (qint64(256) << 20), qPrintable(QStringLiteral("%1 MiB reserved").arg(grown >> 20)));
    }

    // Pure noise too, in case a parser only ever saw RESP-shaped input.
    void randomBytesNeverCrashTheDecoder()
    {
        run("resp-noise", [&](Rng& rng, QByteArray& input) {
            input = QByteArray(qsizetype(rng.below(512)), '\0');
            for (char& c : input)
                c = rng.chance(3) ? "*$+-:\r\n0123456789"[rng.below(17)] : rng.byte();
            const Decoded d = decode(input, rng);
            QVERIFY2(d.error.isEmpty() || isSentence(d.error), qPrintable(d.error));
            for (const RedisReply& r : d.replies)
                use(r);
        });
    }
};

QTEST_APPLESS_MAIN(FuzzResp)
#include "tst_fuzz_resp.moc"
