// The glob matcher (engine/glob) and its checker (connectors/invalidate/GlobCheck) on mutated patterns and on keys
// made to match them: the matcher decides exactly as Redis's own stringmatchlen does (transcribed below), never takes
// more than pattern × key steps, and every pattern the checker refuses gets a sentence.
#include "Fuzz.h"

#include "connectors/invalidate/GlobCheck.h"
#include <cachelens/glob.h>

#include <QTest>

#include <string_view>

using namespace cachelens;
using namespace cachelens::test::fuzz;

namespace {

// Redis 7's stringmatchlen_impl (src/util.c, BSD-3-Clause, Salvatore Sanfilippo and contributors) with nocase off,
// transcribed with bounds-checked reads where Redis relies on the NUL after an sds string. The reference: it is
// exponential in the worst case, so it only sees short inputs.
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

int redisMatch(std::string_view pattern, std::string_view string, int* skipLongerMatches, int nesting)
{
    if (nesting > 1000)
        return 0;
    std::size_t p = 0, t = 0;
    auto patternLen = [&] { return pattern.size() - p; };
    auto stringLen = [&] { return string.size() - t; };
    while (patternLen() && stringLen()) {
        switch (pattern[p]) {
        case '*':
            while (patternLen() && at(pattern, p + 1) == '*')
                ++p;
            if (patternLen() == 1)
                return 1;
            while (stringLen()) {
                if (redisMatch(pattern.substr(p + 1), string.substr(t), skipLongerMatches, nesting + 1))
                    return 1;
                if (*skipLongerMatches)
                    return 0;
                ++t;
            }
            *skipLongerMatches = 1;
            return 0;
        case '?':
            ++t;
            break;
        case '[': {
            ++p;
            const bool negate = at(pattern, p) == '^';
            if (negate)
                ++p;
            bool match = false;
            for (;;) {
                if (at(pattern, p) == '\\' && patternLen() >= 2) {
                    ++p;
                    if (pattern[p] == string[t])
                        match = true;
                } else if (at(pattern, p) == ']') {
                    break;
                } else if (patternLen() == 0) {
                    --p;
                    break;
                } else if (patternLen() >= 3 && pattern[p + 1] == '-') {
                    int start = static_cast<signed char>(pattern[p]);
                    int end = static_cast<signed char>(pattern[p + 2]);
                    const int c = static_cast<signed char>(string[t]);
                    if (start > end)
                        std::swap(start, end);
                    p += 2;
                    if (c >= start && c <= end)
                        match = true;
                } else if (pattern[p] == string[t]) {
                    match = true;
                }
                ++p;
            }
            if (negate)
                match = !match;
            if (!match)
                return 0;
            ++t;
            break;
        }
        case '\\':
            if (patternLen() >= 2)
                ++p;
            [[fallthrough]];
        default:
            if (pattern[p] != string[t])
                return 0;
            ++t;
            break;
        }
        ++p;
        if (stringLen() == 0) {
            while (at(pattern, p) == '*')
                ++p;
            break;
        }
    }
    return patternLen() == 0 && stringLen() == 0;
}

bool redisMatches(std::string_view pattern, std::string_view string)
{
    int skip = 0;
    return redisMatch(pattern, string, &skip, 0) != 0;
}

std::string_view view(const QByteArray& b) { return std::string_view(b.constData(), size_t(b.size())); }

const QList<QByteArray> kPatterns{"user:*", "*:session:?", "h[ae]llo", "[^a-z]*", "a\\*b", "[a-]", "[", "[^", "\\",
                                  "*a*b*c", "key:[0-9][0-9]", "??*", "[\\]]", "[]a]", "[z-a]", "*", "**", "",
                                  "a*a*a*a*b", "[^]", "x[\\-]y", "*[\x80-\xff]*", "prefix:{*}:*", "\\[literal\\]"};
const QList<QByteArray> kTokens{"*", "?", "[", "]", "^", "-", "\\", "[^", "[a-z]", "\\*", "**", "\xff", "\x80", ":"};

// A key that `pattern` matches more often than a random one: each token stands for a byte it accepts (or, for a
// star, a run of bytes).
QByteArray keyFor(const QByteArray& pattern, Rng& rng)
{
    QByteArray key;
    for (qsizetype i = 0; i < pattern.size() && key.size() < 64; ++i) {
        const char c = pattern.at(i);
        if (c == '*') {
            for (int n = int(rng.below(4)); n > 0; --n)
                key += char('a' + rng.below(4));
        } else if (c == '?') {
            key += rng.byte();
        } else if (c == '[') {
            const qsizetype close = pattern.indexOf(']', i + 1);
            const qsizetype from = i + 1 + (i + 1 < pattern.size() && pattern.at(i + 1) == '^' ? 1 : 0);
            key += close > from ? pattern.at(from + qsizetype(rng.below(std::uint64_t(close - from)))) : rng.byte();
            if (close > i)
                i = close;
        } else if (c == '\\' && i + 1 < pattern.size()) {
            key += pattern.at(++i);
        } else {
            key += c;
        }
    }
    return key;
}

void check(const QByteArray& pattern, const QByteArray& key)
{
    const bool ours = engine::globMatch(view(pattern), view(key));
    // The one documented difference: a pattern of stars matches the empty key (KEYS and SCAN special-case "*").
    const bool allStars = !pattern.isEmpty() && pattern.count('*') == pattern.size();
    const bool redis = key.isEmpty() && allStars ? true : redisMatches(view(pattern), view(key));
    QVERIFY2(ours == redis, qPrintable(QStringLiteral("pattern %1, key %2: ours %3, Redis %4")
                                           .arg(printable(pattern), printable(key))
                                           .arg(ours)
                                           .arg(redis)));
    if (ours)
        QVERIFY(key.startsWith(QByteArray::fromStdString(std::string(engine::globLiteralPrefix(view(pattern))))));
    if (engine::globMatchesEverything(view(pattern)))
        QVERIFY(ours);
    QCOMPARE(globMatchesAll(pattern), engine::globMatchesEverything(view(pattern)));
    const QString problem = globProblem(pattern);
    QVERIFY2(problem.isEmpty() || isSentence(problem), qPrintable(problem));
}

} // namespace

class FuzzGlob : public QObject
{
    Q_OBJECT
private slots:
    void matchesAsRedisDoesAndRefusalsAreSentences()
    {
        const Mutator patterns(kPatterns, kTokens, 24);
        run("glob", [&](Rng& rng, QByteArray& input) {
            const QByteArray pattern = patterns.next(rng);
            QByteArray key = keyFor(pattern, rng);
            if (rng.chance(3)) {
                const Mutator keys({key}, kTokens, 24);
                key = keys.next(rng);
            }
            input = pattern + QByteArray(" | ") + key;
            check(pattern, key);
        });
    }

    // Long patterns against long keys (no reference: Redis's own matcher is exponential on these): each case is at
    // most pattern × key steps, so the whole run ends well inside the test's timeout.
    void longInputsStayFast()
    {
        const Mutator patterns(kPatterns + QList<QByteArray>{QByteArray(200, '*') + "b", "a*" + QByteArray(100, 'a') + "*b"},
                               kTokens, 512);
        run("glob-long", [&](Rng& rng, QByteArray& input) {
            const QByteArray pattern = patterns.next(rng);
            const QByteArray key = QByteArray(qsizetype(rng.below(2048)), char('a' + rng.below(3)));
            input = pattern + QByteArray(" | ") + QByteArray::number(key.size()) + " bytes";
            (void)engine::globMatch(view(pattern), view(key));
            const QString problem = globProblem(pattern);
            QVERIFY2(problem.isEmpty() || isSentence(problem), qPrintable(problem));
        });
    }
};

QTEST_APPLESS_MAIN(FuzzGlob)
#include "tst_fuzz_glob.moc"
