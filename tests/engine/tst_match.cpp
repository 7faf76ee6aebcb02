// `cachelensctl match GLOB`: the engine's matcher over escaped key lists, through the ctl registry.
#include "connectors/ctl/Command.h"

#include <QBuffer>
#include <QtTest/QtTest>

using cachelens::ctl::run;

class TestMatch : public QObject {
    Q_OBJECT
private slots:
    void filtersEscapedKeys_data();
    void filtersEscapedKeys();
    void badLinesAreReportedAndSkipped();
    void misuseExitsTwo();
};

namespace {
QStringList A(std::initializer_list<const char*> list)
{
    QStringList out;
    for (const char* a : list) out << QString::fromUtf8(a);
    return out;
}
QString S(const char* s) { return QString::fromUtf8(s); }
struct Outcome {
    int code;
    QString out, err;
};
Outcome ctl(const QStringList& args, const QByteArray& input)
{
    QByteArray inBytes = input;
    QBuffer in(&inBytes);
    in.open(QIODevice::ReadOnly);
    QString out, err;
    QTextStream o(&out), e(&err);
    const int code = run(args, o, e, in);
    return {code, out, err};
}
} // namespace

void TestMatch::filtersEscapedKeys_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    const QByteArray keys = "user:1\nuser:22\nroom:1\nuser:\\x00bin\nuser\\\\path\nsession:a\\nb\n";
    QTest::addRow("star") << A({"match", "user:*"}) << keys << S("user:1\nuser:22\nuser:\\x00bin\n");
    QTest::addRow("class") << A({"match", "user:[0-9]"}) << keys << S("user:1\n");
    QTest::addRow("question") << A({"match", "user:??"}) << keys << S("user:22\n");
    QTest::addRow("escaped backslash key") << A({"match", "user\\\\*"}) << keys << S("user\\\\path\n");
    QTest::addRow("newline inside a key") << A({"match", "session:a?b"}) << keys << S("session:a\\nb\n");
    QTest::addRow("count") << A({"match", "user:*", "--count"}) << keys << S("3\n");
    QTest::addRow("invert") << A({"match", "user*", "--invert"}) << keys << S("room:1\nsession:a\\nb\n");
    QTest::addRow("crlf lines") << A({"match", "a*"}) << QByteArray("a1\r\nb\r\na2") << S("a1\na2\n");
    QTest::addRow("empty input") << A({"match", "*"}) << QByteArray() << S("");
}

void TestMatch::filtersEscapedKeys()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    const auto r = ctl(args, input);
    QCOMPARE(r.err, QString());
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, expected);
}

void TestMatch::badLinesAreReportedAndSkipped()
{
    const auto r = ctl(A({"match", "*"}), "ok\nbad\\q\nalso\\x4\nfine\n");
    QCOMPARE(r.code, 1);
    QCOMPARE(r.out, S("ok\nfine\n"));
    QVERIFY(r.err.contains(S("line 2")));
    QVERIFY(r.err.contains(S("line 3")));
}

void TestMatch::misuseExitsTwo()
{
    QCOMPARE(ctl(A({"match"}), "").code, 2);
    QCOMPARE(ctl(A({"match", "a", "b"}), "").code, 2);
    QCOMPARE(ctl(A({"match", "a", "--bogus"}), "").code, 2);
}

QTEST_APPLESS_MAIN(TestMatch)
#include "tst_match.moc"
