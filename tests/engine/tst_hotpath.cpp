// The hit path allocates nothing: get(), read() and wrap() hits are counted with a replaced global operator new.
#include <cachelens/cache.h>

#include <QtTest/QtTest>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};
} // namespace

void* operator new(std::size_t n)
{
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace cachelens::engine;

class TestHotPath : public QObject {
    Q_OBJECT
private slots:
    void hitsDoNotAllocate_data();
    void hitsDoNotAllocate();
};

void TestHotPath::hitsDoNotAllocate_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("policy");
    QTest::addRow("wtinylfu") << QString() << int(PolicyKind::WTinyLfu);
    QTest::addRow("sieve") << QString() << int(PolicyKind::Sieve);
    QTest::addRow("lru") << QString() << int(PolicyKind::Lru);
    QTest::addRow("with key prefix") << QString("app:") << int(PolicyKind::WTinyLfu);
}

void TestHotPath::hitsDoNotAllocate()
{
    QFETCH(QString, prefix);
    QFETCH(int, policy);
    CacheOptions o;
    o.backgroundThread = false;
    o.maxEntries = 10'000;
    o.keyPrefix = prefix.toStdString();
    o.policy = static_cast<PolicyKind>(policy);
    Cache c(o);
    std::vector<std::string> keys;
    for (int i = 0; i < 1000; ++i) {
        keys.push_back("user:session:" + std::to_string(100000 + i)); // longer than SSO: 19 bytes
        QVERIFY(c.set(keys.back(), std::string(100, 'v')).ok());
    }
    std::uint64_t sum = 0;
    auto loader = [] { return std::optional<std::string>("unused"); };
    // Warm-up: the first call on a thread registers it (epoch slot, key buffer).
    (void)c.get(keys[0]);
    g_allocations = 0;
    g_counting = true;
    for (int round = 0; round < 5; ++round)
        for (const auto& k : keys) {
            ValueRef v = c.get(k);
            sum += static_cast<unsigned char>(v.value()[0]);
            (void)c.read(k, [&](std::string_view s) { sum += s.size(); });
            auto r = c.wrap(k, loader);
            sum += r.ok() ? r.value().value().size() : 0;
        }
    g_counting = false;
    QCOMPARE(g_allocations.load(), std::uint64_t(0));
    QVERIFY(sum > 0);
    QCOMPARE(c.stats().at(Counter::Loads), std::uint64_t(0));
}

QTEST_APPLESS_MAIN(TestHotPath)
#include "tst_hotpath.moc"
