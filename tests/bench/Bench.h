#pragma once
// cachelens-bench subcommand registry and small measuring helpers.
//
// A subcommand lives in bench_<area>.cpp and registers itself:
//   static int run(const cachelens::bench::Args& args);
//   CACHELENS_BENCH(engine, "engine throughput, memory and hit ratios against a naive baseline", run);
// With args.json set it prints exactly one JSON object on stdout (human-readable progress goes to stderr).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cachelens::bench {

struct Args {
    std::vector<std::string> rest;   // arguments after the subcommand name, minus --json
    bool json = false;
    bool has(const std::string& flag) const;
    std::string value(const std::string& flag, const std::string& fallback = {}) const;   // --flag VALUE
};

using BenchFn = int (*)(const Args&);
bool registerBench(const char* name, const char* summary, BenchFn fn);

// Median of a sample set (copies; fine for benchmark-sized sets).
double median(std::vector<double> values);

// Resident set size of this process in bytes (from /proc/self/statm).
std::uint64_t residentBytes();

inline double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace cachelens::bench

#define CACHELENS_BENCH(name, summary, fn) \
    [[maybe_unused]] static const bool cachelens_bench_registered_##name = ::cachelens::bench::registerBench(#name, summary, fn)
