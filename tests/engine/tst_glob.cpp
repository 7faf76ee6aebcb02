// The glob matcher against the behaviour of Redis's stringmatchlen (util.c), edge cases included.
#include <cachelens/glob.h>

#include <QtTest/QtTest>

#include <string>

using cachelens::engine::globLiteralPrefix;
using cachelens::engine::globMatch;
using cachelens::engine::globMatchesEverything;

class TestGlob : public QObject {
    Q_OBJECT
private slots:
    void matchesLikeRedis_data();
    void matchesLikeRedis();
    void binaryKeysAreMatchedBytewise();
    void pathologicalPatternIsFast();
    void matchAllAndPrefix();
};

void TestGlob::matchesLikeRedis_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("expected");

    auto row = [](const char* name, const char* p, const char* t, bool e) {
        QTest::addRow("%s", name) << QByteArray(p) << QByteArray(t) << e;
    };
    row("literal equal", "user:1", "user:1", true);
    row("literal differs", "user:1", "user:2", false);
    row("literal prefix only", "user", "user:1", false);
    row("empty pattern empty key", "", "", true);
    row("empty pattern non-empty key", "", "a", false);
    row("star matches all", "*", "anything", true);
    row("star matches empty key", "*", "", true);
    row("double star matches empty key", "**", "", true);
    row("star suffix", "user:*", "user:42", true);
    row("star suffix empty rest", "user:*", "user:", true);
    row("star suffix mismatch", "user:*", "users", false);
    row("star prefix", "*:name", "user:1:name", true);
    row("star middle", "a*z", "abcz", true);
    row("star middle needs end", "a*z", "abc", false);
    row("stars backtrack", "*a*b", "xaybzb", true);
    row("stars backtrack fail", "*a*b", "xaybzc", false);
    row("consecutive stars", "a**b", "ab", true);
    row("question one byte", "h?llo", "hello", true);
    row("question needs a byte", "h?llo", "hllo", false);
    row("question at end", "ab?", "ab", false);
    row("class member", "h[ae]llo", "hallo", true);
    row("class non member", "h[ae]llo", "hillo", false);
    row("negated class", "h[^e]llo", "hallo", true);
    row("negated class excludes", "h[^e]llo", "hello", false);
    row("range", "h[a-b]llo", "hbllo", true);
    row("range outside", "h[a-b]llo", "hcllo", false);
    row("reversed range swapped", "[z-a]", "m", true);
    row("reversed range outside", "[z-a]", "A", false);
    row("negated range", "[^0-9]", "5", false);
    row("negated range other", "[^0-9]", "x", true);
    row("escaped star literal", "a\\*b", "a*b", true);
    row("escaped star not wildcard", "a\\*b", "axb", false);
    row("escaped question", "\\?", "?", true);
    row("escaped question not wildcard", "\\?", "x", false);
    row("escaped bracket", "\\[a]", "[a]", true);
    row("escaped ordinary char", "\\a", "a", true);
    row("escape in class", "[\\]]", "]", true);
    row("escaped dash in class", "[a\\-]", "-", true);
    row("escaped caret in class", "[\\^a]", "^", true);
    row("trailing backslash literal", "a\\", "a\\", true);
    row("trailing backslash needs backslash", "a\\", "a", false);
    row("lone backslash", "\\", "\\", true);
    row("unterminated class runs to end", "[abc", "b", true);
    row("unterminated class one byte only", "[abc", "bc", false);
    row("lone open bracket matches nothing", "[", "[", false);
    row("lone open bracket empty key", "[", "", false);
    row("open bracket after literal", "a[", "a", false);
    row("lone negation matches any byte", "[^", "x", true);
    row("empty class matches nothing", "[]", "]", false);
    row("empty class then literal", "[]a]", "a]", false);
    row("negated empty class any byte", "[^]", "q", true);
    row("dash range to bracket a", "[a-]", "a", true);
    row("dash range to bracket bracket", "[a-]", "]", true);
    row("dash range to bracket underscore", "[a-]", "_", true);
    row("dash range to bracket not dash", "[a-]", "-", false);
    row("leading dash literal", "[-a]", "-", true);
    row("class with star inside literal", "[*]", "*", true);
    row("class with star not wildcard", "[*]", "x", false);
    row("class then star", "[ab]*", "bcd", true);
    row("star then class at end", "*[0-9]", "abc7", true);
    row("star then class at end fail", "*[0-9]", "abc", false);
    row("question and star", "?*", "", false);
    row("question and star one byte", "?*", "x", true);
    row("star then unterminated class", "*[", "x[", false);
    row("star then question", "*?", "ab", true);
    row("redis tag style", "{user}:*", "{user}:1", true);
    row("colon namespaces", "session:*:token", "session:abc:token", true);
    row("colon namespaces fail", "session:*:token", "session:abc:tokens", false);
}

void TestGlob::matchesLikeRedis()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, text);
    QFETCH(bool, expected);
    QCOMPARE(globMatch(std::string_view(pattern.constData(), pattern.size()),
                       std::string_view(text.constData(), text.size())),
             expected);
}

void TestGlob::binaryKeysAreMatchedBytewise()
{
    using namespace std::string_literals;
    const std::string key = "a\0b\xff"s;
    QVERIFY(globMatch("a?b?", key));
    QVERIFY(globMatch("a\0*"s, key));
    QVERIFY(!globMatch("a\0c*"s, key));
    QVERIFY(globMatch("*\xff", key));
    // Range bounds are signed chars, as in Redis: 0xff is -1, so [\x01-\xff] is the swapped range -1..1.
    QVERIFY(globMatch("[\x01-\xff]", "\xff"));
    QVERIFY(globMatch("[\x01-\xff]", "\x01"));
    QVERIFY(!globMatch("[\x01-\xff]", "a"));
    QVERIFY(globMatch("[\x80-\xff]", "\x90"));
    QVERIFY(!globMatch("[\x80-\xff]", "a"));
}

void TestGlob::pathologicalPatternIsFast()
{
    // Redis's recursive matcher needs exponential time here (it would not finish before ctest's timeout); ours is
    // quadratic at worst. No clock here: a loaded machine would fail a time limit, and speed belongs in benchmarks.
    const std::string text(4000, 'a');
    const std::string pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    QVERIFY(!globMatch(pattern, text));
    QVERIFY(globMatch(pattern.substr(0, pattern.size() - 1), text));
}

void TestGlob::matchAllAndPrefix()
{
    QVERIFY(globMatchesEverything("*"));
    QVERIFY(globMatchesEverything("***"));
    QVERIFY(!globMatchesEverything(""));
    QVERIFY(!globMatchesEverything("*a"));
    QCOMPARE(globLiteralPrefix("user:*"), std::string_view("user:"));
    QCOMPARE(globLiteralPrefix("us\\*er"), std::string_view("us"));
    QCOMPARE(globLiteralPrefix("plain"), std::string_view("plain"));
    QCOMPARE(globLiteralPrefix("[ab]"), std::string_view(""));
}

QTEST_APPLESS_MAIN(TestGlob)
#include "tst_glob.moc"
