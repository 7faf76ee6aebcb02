#include "Bench.h"

#include <algorithm>
#include <fstream>
#include <unistd.h>

namespace cachelens::bench {

bool Args::has(const std::string& flag) const { return std::find(rest.begin(), rest.end(), flag) != rest.end(); }

std::string Args::value(const std::string& flag, const std::string& fallback) const
{
    auto it = std::find(rest.begin(), rest.end(), flag);
    if (it == rest.end() || std::next(it) == rest.end())
        return fallback;
    return *std::next(it);
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    if (values.size() % 2 == 1)
        return *mid;
    const double upper = *mid;
    const double lower = *std::max_element(values.begin(), mid);
    return (lower + upper) / 2.0;
}

std::uint64_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

} // namespace cachelens::bench
