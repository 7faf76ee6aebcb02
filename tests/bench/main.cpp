// cachelens-bench SUBCOMMAND [--json] [options]: figures for the issues' speed targets, each against its baseline.
#include "Bench.h"

#include <cachelens/version.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

namespace cachelens::bench {
namespace {
struct Entry {
    const char* summary;
    BenchFn fn;
};
std::map<std::string, Entry>& registry()
{
    static std::map<std::string, Entry> r;
    return r;
}
} // namespace

bool registerBench(const char* name, const char* summary, BenchFn fn)
{
    registry()[name] = Entry{summary, fn};
    return true;
}

} // namespace cachelens::bench

static void usage(FILE* out)
{
    std::fprintf(out, "usage: cachelens-bench SUBCOMMAND [--json] [options]\n\nsubcommands:\n");
    for (const auto& [name, entry] : cachelens::bench::registry())
        std::fprintf(out, "  %-10s %s\n", name.c_str(), entry.summary);
    if (cachelens::bench::registry().empty())
        std::fprintf(out, "  (none built yet)\n");
}

int main(int argc, char** argv)
{
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::printf("cachelens-bench %s\n", cachelens::kVersion);
        return 0;
    }
    const auto it = cachelens::bench::registry().find(argv[1]);
    if (it == cachelens::bench::registry().end()) {
        std::fprintf(stderr, "cachelens-bench: unknown subcommand '%s' (try --help)\n", argv[1]);
        return 2;
    }
    cachelens::bench::Args args;
    for (int i = 2; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json"))
            args.json = true;
        else
            args.rest.emplace_back(argv[i]);
    }
    return it->second.fn(args);
}
