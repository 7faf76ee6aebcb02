// Belady's optimum with bypass (engine/sim/opt.h): equal to an exhaustive search on small traces, never beaten by a
// real policy, and every re-reference a hit once the cache holds every key.
#include <QTest>

#include <cachelens/sim/distributions.h>
#include <cachelens/sim/opt.h>
#include <cachelens/sim/random.h>
#include <cachelens/sim/replay.h>

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <vector>

using namespace cachelens::engine;
using namespace cachelens::engine::sim;

Q_DECLARE_METATYPE(std::vector<std::uint64_t>)

namespace {

// The most Get hits any cache of `capacity` entries can get on a trace over keys 0…7: after each request the cache
// may be any subset of what it held plus the requested key (minus it after a Del) of at most `capacity` keys, so
// every eviction, bypass and early drop is tried. Memoised over (position, resident set).
std::uint64_t bruteForceHits(const Trace& t, std::uint64_t capacity)
{
    const std::size_t n = t.keys.size();
    std::vector<int> memo((n + 1) * 256, -1);
    auto best = [&](auto&& self, std::size_t i, unsigned held) -> int {
        if (i == n) return 0;
        int& m = memo[i * 256 + held];
        if (m >= 0) return m;
        const unsigned k = 1u << t.keys[i];
        const TraceRequest op = t.op(i);
        const int hit = op == TraceRequest::Get && (held & k) ? 1 : 0;
        const unsigned pool = op == TraceRequest::Del ? held & ~k : held | k;
        int most = 0;
        for (unsigned sub = pool;; sub = (sub - 1) & pool) { // every subset of pool
            if (std::uint64_t(std::popcount(sub)) <= capacity) most = std::max(most, self(self, i + 1, sub));
            if (sub == 0) break;
        }
        return m = hit + most;
    };
    return std::uint64_t(best(best, 0, 0));
}

Trace getsOf(std::vector<std::uint64_t> keys)
{
    Trace t;
    t.keys = std::move(keys);
    return t;
}

std::vector<std::uint64_t> zipfKeys(std::size_t keys, double s, std::size_t n, std::uint64_t seed)
{
    DistributionSpec d;
    d.kind = DistributionKind::Zipf;
    d.s = s;
    auto sampler = makeSampler(d, keys, nullptr);
    Rng rng(seed);
    std::vector<std::uint64_t> out(n);
    for (auto& k : out) k = sampler->next(rng);
    return out;
}

std::vector<TraceRequest> mixedOps(std::size_t n, std::uint64_t seed)
{
    Rng rng(seed);
    std::vector<TraceRequest> ops(n);
    for (auto& op : ops) {
        const auto x = rng.below(100);
        op = x < 80 ? TraceRequest::Get : x < 92 ? TraceRequest::Set : TraceRequest::Del;
    }
    return ops;
}

} // namespace

class TestOpt : public QObject {
    Q_OBJECT
private slots:
    void handMadeTracesHitAsOftenAsTheOptimum_data()
    {
        QTest::addColumn<std::vector<std::uint64_t>>("keys");
        QTest::addColumn<std::uint64_t>("capacity");
        QTest::addColumn<std::uint64_t>("hits");
        const std::vector<std::uint64_t> loop{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4};
        // LRU gets nothing from a loop one key larger than the cache; OPT keeps what comes back soonest.
        QTest::addRow("loop of 4 in 1 entry") << loop << std::uint64_t(1) << std::uint64_t(2);
        QTest::addRow("loop of 4 in 2 entries") << loop << std::uint64_t(2) << std::uint64_t(4);
        QTest::addRow("loop of 4 in 3 entries") << loop << std::uint64_t(3) << std::uint64_t(6);
        QTest::addRow("loop of 4 in 4 entries") << loop << std::uint64_t(4) << std::uint64_t(8);
        QTest::addRow("all distinct") << std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6} << std::uint64_t(2) << std::uint64_t(0);
        QTest::addRow("all the same key") << std::vector<std::uint64_t>{5, 5, 5, 5, 5} << std::uint64_t(1) << std::uint64_t(4);
        // The textbook reference string with 3 frames: demand paging's OPT faults 9 times (11 hits); not storing
        // the 4 at position 7 (never requested again) keeps the 2 it would evict, one hit more.
        QTest::addRow("Belady's textbook string")
            << std::vector<std::uint64_t>{7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1} << std::uint64_t(3)
            << std::uint64_t(12);
    }
    void handMadeTracesHitAsOftenAsTheOptimum()
    {
        QFETCH(std::vector<std::uint64_t>, keys);
        QFETCH(std::uint64_t, capacity);
        QFETCH(std::uint64_t, hits);
        const Trace t = getsOf(keys);
        QCOMPARE(bruteForceHits(t, capacity), hits);
        const OptResult r = optimalReplay(t, capacity);
        QCOMPARE(r.hits, hits);
        QCOMPARE(r.gets, std::uint64_t(keys.size()));
        QCOMPARE(r.requests, std::uint64_t(keys.size()));
    }

    void randomTracesMatchAnExhaustiveSearch_data()
    {
        QTest::addColumn<bool>("withWrites");
        QTest::addRow("gets only") << false;
        QTest::addRow("gets, sets and dels") << true;
    }
    void randomTracesMatchAnExhaustiveSearch()
    {
        QFETCH(bool, withWrites);
        Rng rng(withWrites ? 2024 : 1999);
        int compared = 0;
        for (int trial = 0; trial < 400; ++trial) {
            Trace t;
            const std::size_t n = 1 + rng.below(14);
            const std::uint64_t keys = 1 + rng.below(6);
            for (std::size_t i = 0; i < n; ++i) t.keys.push_back(rng.below(keys));
            if (withWrites) t.ops = mixedOps(n, rng.below(1u << 30));
            const BeladyOptimum opt(t);
            for (std::uint64_t capacity = 1; capacity <= 4; ++capacity) {
                const std::uint64_t expected = bruteForceHits(t, capacity);
                const OptResult r = opt.run(capacity);
                if (r.hits != expected) {
                    QString trace;
                    for (std::size_t i = 0; i < n; ++i)
                        trace += QStringLiteral("%1%2 ").arg(QLatin1Char("gsd"[int(t.op(i))])).arg(t.keys[i]);
                    QFAIL(qPrintable(QStringLiteral("trace %1at capacity %2: OPT %3 hits, exhaustive search %4")
                                         .arg(trace).arg(capacity).arg(r.hits).arg(expected)));
                }
                ++compared;
            }
        }
        QCOMPARE(compared, 1600);
    }

    void noPolicyBeatsTheOptimum_data()
    {
        QTest::addColumn<double>("skew");
        QTest::addColumn<bool>("withWrites");
        QTest::addColumn<bool>("sparseIds");
        QTest::addRow("zipf 0.8") << 0.8 << false << false;
        QTest::addRow("zipf 1.1") << 1.1 << false << false;
        QTest::addRow("zipf 0.9 with sets and dels") << 0.9 << true << false;
        QTest::addRow("zipf 0.9, sparse u64 ids") << 0.9 << false << true;
    }
    void noPolicyBeatsTheOptimum()
    {
        QFETCH(double, skew);
        QFETCH(bool, withWrites);
        QFETCH(bool, sparseIds);
        Trace t = getsOf(zipfKeys(20000, skew, 200000, 17));
        if (sparseIds)
            for (auto& k : t.keys) k = k * 0x9e3779b97f4a7c15ull + 1;
        if (withWrites) t.ops = mixedOps(t.keys.size(), 9);
        const BeladyOptimum opt(t);
        for (std::uint64_t capacity : {10, 100, 1000, 5000}) {
            const OptResult best = opt.run(capacity);
            for (PolicyKind p : {PolicyKind::Lru, PolicyKind::WTinyLfu, PolicyKind::S3Fifo, PolicyKind::Sieve}) {
                const ReplayResult r = replayTrace(t, p, capacity);
                QCOMPARE(r.gets, best.gets);
                if (r.hits > best.hits)
                    QFAIL(qPrintable(QStringLiteral("%1 at %2 entries: %3 hits, OPT only %4")
                                         .arg(QLatin1String(policyName(p))).arg(capacity).arg(r.hits).arg(best.hits)));
            }
            qInfo("capacity %llu: OPT hit ratio %.4f, LRU %.4f", (unsigned long long)capacity, best.hitRatio,
                  replayTrace(t, PolicyKind::Lru, capacity).hitRatio);
        }
    }

    void sparseIdsGiveTheSameOptimumAsDenseOnes()
    {
        Trace dense = getsOf(zipfKeys(5000, 0.9, 50000, 4));
        dense.ops = mixedOps(dense.keys.size(), 8);
        Trace sparse = dense;
        for (auto& k : sparse.keys) k = k * 0x9e3779b97f4a7c15ull + 1;
        for (std::uint64_t capacity : {1, 50, 500})
            QCOMPARE(optimalReplay(sparse, capacity).hits, optimalReplay(dense, capacity).hits);
    }

    void aCacheHoldingEveryKeyHitsEveryReReference()
    {
        const Trace t = getsOf(zipfKeys(3000, 0.7, 30000, 5));
        const std::uint64_t distinct = std::set<std::uint64_t>(t.keys.begin(), t.keys.end()).size();
        for (std::uint64_t capacity : {distinct, distinct + 1, std::uint64_t(1) << 40, ~std::uint64_t{0}})
            QCOMPARE(optimalReplay(t, capacity).hits, t.keys.size() - distinct);
        // With bypass, room for the keys that must be kept across the same gap between two requests is enough (a
        // key between its first and last request); one entry less loses a hit at the most crowded gap.
        std::map<std::uint64_t, std::pair<std::size_t, std::size_t>> span; // key → first, last request
        for (std::size_t i = 0; i < t.keys.size(); ++i) {
            auto [it, fresh] = span.try_emplace(t.keys[i], i, i);
            it->second.second = i;
        }
        std::vector<int> delta(t.keys.size() + 1, 0);
        for (const auto& [key, fl] : span) {
            ++delta[fl.first];
            --delta[fl.second];
        }
        std::uint64_t crowd = 0;
        for (int live = 0, i = 0; i < int(t.keys.size()); ++i) crowd = std::max<std::uint64_t>(crowd, std::uint64_t(live += delta[std::size_t(i)]));
        QVERIFY(crowd < distinct);
        QCOMPARE(optimalReplay(t, crowd).hits, t.keys.size() - distinct);
        QVERIFY(optimalReplay(t, crowd - 1).hits < t.keys.size() - distinct);
    }

    void capacityZeroHitsNothing()
    {
        QCOMPARE(optimalReplay(getsOf({1, 1, 1}), 0).hits, 0u);
        QCOMPARE(optimalReplay(Trace{}, 10).hits, 0u);
    }

    void memoryEstimateCoversWhatTheReplayHolds()
    {
        const Trace dense = getsOf(zipfKeys(1000, 0.9, 100000, 3));
        Trace sparse = dense;
        for (auto& k : sparse.keys) k = k * 0x9e3779b97f4a7c15ull + 1;
        // 4 bytes of next use per request at least; sparse ids are charged an IdMap slot per request.
        QVERIFY(optMemoryBytes(dense, 100) >= 4 * dense.keys.size());
        QVERIFY(optMemoryBytes(sparse, 100) > 100 * sparse.keys.size());
        QCOMPARE(optMemoryBytes(dense, ~std::uint64_t{0}), optMemoryBytes(dense, dense.keys.size()));
    }
};

QTEST_APPLESS_MAIN(TestOpt)
#include "tst_opt.moc"
