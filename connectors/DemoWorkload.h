#pragma once
// The local engine's demo traffic, so a first launch shows moving charts and a populated key tree. Shaped like the
// design documents' examples: published characters (5 min TTL), chat rooms polled every few seconds (messages 5 s
// TTL, invalidated when someone posts), Discord lookups with their TTL table (guilds 60 s, bot guilds 300 s,
// members 30 s). Reads go through cache-aside wrap() with a loader standing in for the database; popularity is
// Zipf-like; the rate swells and ebbs slowly so the charts have something to show.
//
// Runs on its own plain threads (the engine is thread-safe); stop() or the destructor joins them.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace cachelens::engine {
class Cache;
}

namespace cachelens {

class DemoWorkload
{
public:
    struct Options {
        double opsPerSecond = 4000;   // average; the rate varies ±50 % over a few minutes
        unsigned threads = 1;
        std::uint64_t seed = 42;
    };

    explicit DemoWorkload(std::shared_ptr<engine::Cache> cache);
    DemoWorkload(std::shared_ptr<engine::Cache> cache, Options options);
    ~DemoWorkload();
    DemoWorkload(const DemoWorkload&) = delete;
    DemoWorkload& operator=(const DemoWorkload&) = delete;

    void start();
    void stop();
    bool running() const { return !m_threads.empty(); }
    std::uint64_t operations() const { return m_operations.load(std::memory_order_relaxed); }

    // Loads a first set of keys in every namespace (what a warm cache holds), so the key tree is not empty.
    static std::size_t populate(engine::Cache& cache, std::uint64_t seed = 42);

private:
    void run(unsigned index);

    std::shared_ptr<engine::Cache> m_cache;
    Options m_options;
    std::atomic<bool> m_stop{false};
    std::atomic<std::uint64_t> m_operations{0};
    std::vector<std::thread> m_threads;
};

} // namespace cachelens
