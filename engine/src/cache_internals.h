#pragma once
// What the engine's own tests, the simulator and the redis provider may reach inside a Cache. Private to the engine
// (src/, not installed): a program embedding the engine uses <cachelens/cache.h> only.
namespace cachelens::engine {

class Cache;
class Provider;
class Store;

struct CacheInternals {
    // The memory provider's store (audits in tests); nullptr with another provider.
    static Store* memoryStore(Cache& cache) noexcept;
    // The provider the cache was made with (the redis provider's L1, bus and counters).
    static Provider& provider(Cache& cache) noexcept;
};

} // namespace cachelens::engine
