#pragma once
// Seeded random-input tests: every parser that reads what nobody typed by hand (URLs, globs, workload JSON, trace
// files, RESP replies, snapshot files) is fed tens of thousands of inputs made by mutating valid ones — bit flips,
// splices with another input, truncation, byte insertions and deletions, long runs, the format's own tokens — so the
// inputs get past the first checks and into the parser. What each test asserts: no crash, no hang, no leak (the
// sanitizer presets run them), and every rejection is a sentence.
//
// Each case has its own seed, derived from the test's name and its number, so a failure says which seed made it and
// `CACHELENS_FUZZ_SEED=<seed> tst_fuzz_… <test function>` runs that one case alone. CACHELENS_FUZZ_CASES sets how many
// cases a run makes (default 20,000) for longer runs by hand. A crash or a hang leaves no failure message:
// CACHELENS_FUZZ_VERBOSE=1 prints each case's seed before it runs, so the last one printed is the culprit.
#include <QByteArray>
#include <QList>
#include <QString>
#include <QTest>
#include <QtGlobal>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>

namespace cachelens::test::fuzz {

// SplitMix64: small, fast and the same on every platform, so a seed means the same input everywhere.
class Rng
{
public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // 0 … n-1 (n > 0).
    std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
    int between(int lo, int hi) { return lo + int(below(std::uint64_t(hi - lo + 1))); }
    bool chance(int oneIn) { return below(std::uint64_t(oneIn)) == 0; }
    char byte() { return char(next()); }
    template <class T>
    const T& pick(const QList<T>& list) { return list.at(qsizetype(below(std::uint64_t(list.size())))); }

private:
    std::uint64_t m_state;
};

// Mutates valid inputs: a few edits per input, each one of the kinds above. `dictionary` holds the format's tokens
// (":", "://", "[^", "*3\r\n", …) for insertions and overwrites; `maxSize` bounds the result.
class Mutator
{
public:
    Mutator(QList<QByteArray> corpus, QList<QByteArray> dictionary = {}, qsizetype maxSize = 4096)
        : m_corpus(std::move(corpus)), m_dictionary(std::move(dictionary)), m_maxSize(maxSize)
    {
    }

    QByteArray next(Rng& rng) const
    {
        QByteArray s = rng.pick(m_corpus);
        if (rng.chance(16))
            return s;   // some valid inputs, unchanged: the accepting paths run too
        const int edits = rng.between(1, rng.chance(4) ? 12 : 4);
        for (int e = 0; e < edits; ++e)
            mutate(s, rng);
        if (s.size() > m_maxSize)
            s.truncate(m_maxSize);
        return s;
    }

    void mutate(QByteArray& s, Rng& rng) const
    {
        const auto at = [&](bool end) { return qsizetype(rng.below(std::uint64_t(s.size() + (end ? 1 : 0)))); };
        const std::uint64_t kind = rng.below(11);
        switch (kind) {
        case 0:   // flip a bit
            if (!s.isEmpty())
                s[at(false)] ^= char(1u << rng.below(8));
            break;
        case 1:   // replace a byte with any byte
            if (!s.isEmpty())
                s[at(false)] = rng.byte();
            break;
        case 2:   // insert a byte
            s.insert(at(true), rng.byte());
            break;
        case 3:   // delete a run
            if (!s.isEmpty()) {
                const qsizetype from = at(false);
                s.remove(from, qsizetype(rng.below(std::uint64_t(qMin<qsizetype>(16, s.size() - from)) + 1)));
            }
            break;
        case 4:   // truncate
            s.truncate(at(true));
            break;
        case 5:   // a long run of one byte (often one the format cares about)
            s.insert(at(true), QByteArray(qsizetype(rng.below(rng.chance(8) ? 2000 : 64)) + 1,
                                          rng.chance(2) && !s.isEmpty() ? s.at(at(false)) : rng.byte()));
            break;
        case 6:   // splice: the head of this input, the tail of another
        {
            const QByteArray& other = rng.pick(m_corpus);
            s = s.left(at(true)) + other.mid(qsizetype(rng.below(std::uint64_t(other.size() + 1))));
            break;
        }
        case 7:   // duplicate a slice
            if (!s.isEmpty()) {
                const qsizetype from = at(false);
                const QByteArray slice = s.mid(from, qsizetype(rng.below(32)) + 1);
                s.insert(at(true), slice);
            }
            break;
        case 8:   // insert a token
        case 9:   // overwrite with a token
            if (!m_dictionary.isEmpty()) {
                const QByteArray& token = rng.pick(m_dictionary);
                const qsizetype pos = at(true);
                if (kind == 8 || pos + token.size() > s.size())
                    s.insert(pos, token);
                else
                    s.replace(pos, token.size(), token);
            }
            break;
        default:   // an interesting number
        {
            static const char* const numbers[] = {"0", "-1", "1", "-0", "65535", "65536", "2147483647", "2147483648",
                                                  "4294967296", "9223372036854775807", "9223372036854775808",
                                                  "18446744073709551616", "1e308", "-1e308", "1e-320", "999999999999999999999"};
            s.insert(at(true), QByteArray(numbers[rng.below(std::size(numbers))]));
            break;
        }
        }
    }

private:
    QList<QByteArray> m_corpus;
    QList<QByteArray> m_dictionary;
    qsizetype m_maxSize;
};

inline int caseCount()
{
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("CACHELENS_FUZZ_CASES", &ok);
    return ok && n > 0 ? n : 20000;
}

// A readable, bounded form of an input for a failure message: printable ASCII as is, the rest as \xHH.
inline QString printable(const QByteArray& input, qsizetype limit = 400)
{
    QString out;
    for (qsizetype i = 0; i < qMin(input.size(), limit); ++i) {
        const auto c = static_cast<unsigned char>(input.at(i));
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    }
    if (input.size() > limit)
        out += QStringLiteral("… (%1 bytes)").arg(input.size());
    return out;
}

// Runs the cases of one test function: `body(rng, input)` makes its input from `rng`, stores it in `input` (for the
// failure message) and checks it with QVERIFY/QCOMPARE. Stops at the first failing case and prints its seed.
inline void run(std::string_view name, const std::function<void(Rng&, QByteArray&)>& body)
{
    std::uint64_t base = 0xcbf29ce484222325ull;   // FNV-1a of the name: each test its own sequence
    for (const char c : name)
        base = (base ^ std::uint8_t(c)) * 0x100000001b3ull;
    bool replay = false;
    const std::uint64_t replaySeed = qEnvironmentVariable("CACHELENS_FUZZ_SEED").toULongLong(&replay, 0);
    const int cases = replay ? 1 : caseCount();
    const bool verbose = qEnvironmentVariableIntValue("CACHELENS_FUZZ_VERBOSE") != 0;
    for (int i = 0; i < cases; ++i) {
        const std::uint64_t seed = replay ? replaySeed : Rng(base + std::uint64_t(i)).next();
        if (verbose)
            fprintf(stderr, "case %d: CACHELENS_FUZZ_SEED=0x%016llx\n", i, static_cast<unsigned long long>(seed));
        Rng rng(seed);
        QByteArray input;
        body(rng, input);
        if (QTest::currentTestFailed()) {
            qWarning("fuzz case %d of %.*s failed; replay it with CACHELENS_FUZZ_SEED=0x%016llx; input: %s", i,
                     int(name.size()), name.data(), static_cast<unsigned long long>(seed), qPrintable(printable(input)));
            return;
        }
    }
    qInfo("%d cases of %.*s", cases, int(name.size()), name.data());
}

// A rejection a user can read: words, not an empty string or a code.
inline bool isSentence(const QString& message)
{
    const QString t = message.trimmed();
    if (t.size() < 8 || !t.contains(QLatin1Char(' ')))
        return false;
    for (const QChar c : t)
        if (c.isLetter())
            return true;
    return false;
}

} // namespace cachelens::test::fuzz
