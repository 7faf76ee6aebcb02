// A Source that implements only what every source must (open, close, sample, scan, cancel) answers every other
// request the one way Source.h promises: on that request's own result signal, with its request id and an
// InvalidArgument error saying "<name> cannot …" — never only on error(), where a caller waiting for the result
// would wait forever.
#include "IsolatedEnvironment.h"

#include "ScriptedSource.h"

#include "connectors/Source.h"

#include <QSignalSpy>
#include <QTest>

#include <functional>
#include <vector>

using namespace cachelens;

namespace {

struct Answer {
    QString signal;
    quint64 requestId = 0;
    SourceError error;
};

struct Request {
    const char* name;
    const char* resultSignal;
    std::function<void(Source&, quint64)> call;
};

const std::vector<Request>& requests()
{
    static const std::vector<Request> all = {
        {"keyDetails", "keyDetailsReady", [](Source& s, quint64 id) { s.keyDetails(id, {"k"}); }},
        {"fetchValue", "valueReady", [](Source& s, quint64 id) { s.fetchValue(id, "k", {}, 10); }},
        {"keyStats", "keyStatsReady", [](Source& s, quint64 id) { s.keyStats(id, {"k"}, true, true); }},
        {"listTags", "tagsListed", [](Source& s, quint64 id) { s.listTags(id, {}); }},
        {"tagMembers", "tagMembersReady", [](Source& s, quint64 id) { s.tagMembers(id, {}, "t", 10); }},
        {"setTtl", "keysChanged", [](Source& s, quint64 id) { s.setTtl(id, {"k"}, 1000); }},
        {"remove", "keysChanged", [](Source& s, quint64 id) { s.remove(id, {"k"}); }},
        {"writeValue", "keysChanged", [](Source& s, quint64 id) { s.writeValue(id, "k", {}, "v"); }},
        {"invalidatePattern", "invalidationFinished", [](Source& s, quint64 id) { s.invalidatePattern(id, "k*", {}); }},
        {"invalidatePattern dry run", "invalidationFinished",
         [](Source& s, quint64 id) {
             InvalidateOptions o;
             o.dryRun = true;
             s.invalidatePattern(id, "k*", o);
         }},
        {"invalidateTags", "invalidationFinished", [](Source& s, quint64 id) { s.invalidateTags(id, {}, {"t"}, {}); }},
        {"restoreSnapshot", "restoreFinished", [](Source& s, quint64 id) { s.restoreSnapshot(id, QStringLiteral("x.db"), {}); }},
    };
    return all;
}

} // namespace

class SourceUnsupportedTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyRequestASourceCannotDoIsAnsweredOnItsOwnResult_data()
    {
        QTest::addColumn<int>("request");
        for (std::size_t i = 0; i < requests().size(); ++i)
            QTest::addRow("%s", requests()[i].name) << int(i);
    }
    void everyRequestASourceCannotDoIsAnsweredOnItsOwnResult()
    {
        QFETCH(int, request);
        const Request& r = requests()[std::size_t(request)];
        test::ScriptedSource source(QStringLiteral("scripted"));
        std::vector<Answer> answers;
        const auto record = [&](const char* signal) {
            return [&answers, signal](const auto& result) { answers.push_back({QLatin1String(signal), result.requestId, result.error}); };
        };
        connect(&source, &Source::keyDetailsReady, this, record("keyDetailsReady"));
        connect(&source, &Source::valueReady, this, record("valueReady"));
        connect(&source, &Source::keyStatsReady, this, record("keyStatsReady"));
        connect(&source, &Source::tagsListed, this, record("tagsListed"));
        connect(&source, &Source::tagMembersReady, this, record("tagMembersReady"));
        connect(&source, &Source::keysChanged, this, record("keysChanged"));
        connect(&source, &Source::invalidationFinished, this, record("invalidationFinished"));
        connect(&source, &Source::restoreFinished, this, record("restoreFinished"));
        QSignalSpy errors(&source, &Source::error);

        r.call(source, 42);

        QCOMPARE(errors.size(), 0);
        QCOMPARE(answers.size(), std::size_t(1));
        QCOMPARE(answers.front().signal, QLatin1String(r.resultSignal));
        QCOMPARE(answers.front().requestId, quint64(42));
        QCOMPARE(answers.front().error.kind, SourceError::Kind::InvalidArgument);
        QVERIFY2(answers.front().error.message.startsWith(QLatin1String("scripted cannot ")),
                 qPrintable(answers.front().error.message));
    }
};

QTEST_GUILESS_MAIN(SourceUnsupportedTest)
#include "tst_sourceunsupported.moc"
