#include <cachelens/sim/trace_file.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <cachelens/sim/id_map.h>
#include <cachelens/sim/size_limit.h>

namespace cachelens::engine::sim {

const char* traceFormatName(TraceFormat f) noexcept { return f == TraceFormat::U64Le ? "u64le" : "text"; }

bool parseTraceFormat(std::string_view name, TraceFormat& out) noexcept
{
    if (name == "text" || name == "csv") out = TraceFormat::Text;
    else if (name == "u64le" || name == "u64" || name == "bin") out = TraceFormat::U64Le;
    else return false;
    return true;
}

TraceFormat guessTraceFormat(const std::string& path) noexcept
{
    for (const char* ext : {".bin", ".u64", ".u64le"})
        if (path.size() > std::strlen(ext) && path.compare(path.size() - std::strlen(ext), std::string::npos, ext) == 0)
            return TraceFormat::U64Le;
    return TraceFormat::Text;
}

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File openFile(const std::string& path, const char* mode, std::string& error)
{
    File f(std::fopen(path.c_str(), mode));
    if (!f) error = path + ": " + std::strerror(errno);
    return f;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool parseOp(std::string_view s, TraceRequest& out)
{
    if (s == "get" || s == "GET" || s == "r" || s == "read") out = TraceRequest::Get;
    else if (s == "set" || s == "SET" || s == "w" || s == "write") out = TraceRequest::Set;
    else if (s == "del" || s == "DEL" || s == "d" || s == "delete") out = TraceRequest::Del;
    else return false;
    return true;
}

// A text trace holds one key (or timestamp,key,op) per line. A longer line means the file is not a text trace (a
// binary one, or /dev/zero, which has no line end at all): reading on would only end when memory does, or never.
constexpr std::size_t kMaxTextLine = std::size_t{1} << 20;

std::optional<Trace> loadText(const std::string& path, std::string& error)
{
    File f = openFile(path, "rb", error);
    if (!f) return std::nullopt;
    Trace t;
    std::unordered_map<std::string, std::uint64_t> ids;
    bool anyOp = false;
    std::string line;
    std::uint64_t lineNo = 0;
    auto where = [&] { return path + " line " + std::to_string(lineNo + 1); };
    auto handle = [&](std::string_view raw) -> bool {
        ++lineNo;
        std::string_view s = trim(raw);
        if (s.empty() || s.front() == '#') {
            ++t.skippedLines;
            return true;
        }
        TraceRequest op = TraceRequest::Get;
        std::string_view key = s;
        if (const auto c1 = s.find(','); c1 != std::string_view::npos) {
            const auto c2 = s.find(',', c1 + 1);
            if (c2 == std::string_view::npos) {
                error = path + " line " + std::to_string(lineNo) + ": expected timestamp,key,op";
                return false;
            }
            key = trim(s.substr(c1 + 1, c2 - c1 - 1));
            const std::string_view opText = trim(s.substr(c2 + 1));
            if (!parseOp(opText, op)) {
                error = path + " line " + std::to_string(lineNo) + ": unknown op '" + std::string(opText) +
                        "' (get, set or del)";
                return false;
            }
            anyOp = anyOp || op != TraceRequest::Get;
        }
        auto [it, inserted] = ids.try_emplace(std::string(key), t.names.size());
        if (inserted) t.names.emplace_back(key);
        t.keys.push_back(it->second);
        t.ops.push_back(op);
        return true;
    };
    std::vector<char> buf(std::size_t{1} << 16);
    for (;;) {
        const std::size_t got = std::fread(buf.data(), 1, buf.size(), f.get());
        if (got == 0) break;
        std::string_view chunk(buf.data(), got);
        while (!chunk.empty()) {
            const std::size_t end = chunk.find('\n');
            const std::string_view part = chunk.substr(0, end);
            if (part.find('\0') != std::string_view::npos) {
                error = where() + " holds a NUL byte: a text trace is text (for a binary trace give --format u64le)";
                return std::nullopt;
            }
            if (line.size() + part.size() > kMaxTextLine) {
                error = where() + " is longer than 1 MiB: a text trace has one key (or timestamp,key,op) per line "
                                  "(for a binary trace give --format u64le)";
                return std::nullopt;
            }
            line.append(part);
            if (end == std::string_view::npos) break;
            if (!handle(line)) return std::nullopt;
            line.clear();
            chunk.remove_prefix(end + 1);
        }
    }
    if (std::ferror(f.get())) {
        error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if (!line.empty() && !handle(line)) return std::nullopt;
    if (!anyOp) t.ops.clear(); // all gets: the compact form
    return t;
}

std::optional<Trace> loadU64(const std::string& path, std::string& error)
{
    File f = openFile(path, "rb", error);
    if (!f) return std::nullopt;
    std::error_code ec;
    const long size = std::filesystem::is_regular_file(path, ec) && std::fseek(f.get(), 0, SEEK_END) == 0 ? std::ftell(f.get()) : -1;
    if (size < 0 || std::fseek(f.get(), 0, SEEK_SET) != 0) {
        error = path + ": not a file with a size (a u64le trace is read whole: give a file, not a pipe, device or directory)";
        return std::nullopt;
    }
    if (size % 8 != 0) {
        error = path + ": size " + std::to_string(size) + " is not a multiple of 8 (is it a u64le trace?)";
        return std::nullopt;
    }
    if (static_cast<std::uint64_t>(size) / 8 > maxItemsInMemory(8)) {
        error = path + ": its " + std::to_string(size / 8) + " requests take " + std::to_string(size) +
                " bytes, more than this machine's " + std::to_string(machineMemoryBytes()) + " bytes of memory";
        return std::nullopt;
    }
    Trace t;
    t.keys.resize(static_cast<std::size_t>(size) / 8);
    if (std::fread(t.keys.data(), 8, t.keys.size(), f.get()) != t.keys.size()) {
        error = path + ": " + (std::ferror(f.get()) ? std::strerror(errno) : "shorter than its size said (is it being written?)");
        return std::nullopt;
    }
    if constexpr (std::endian::native == std::endian::big)
        for (auto& k : t.keys) k = __builtin_bswap64(k);
    return t;
}

} // namespace

std::optional<Trace> loadTrace(const std::string& path, TraceFormat format, std::string& error)
{
    return format == TraceFormat::U64Le ? loadU64(path, error) : loadText(path, error);
}

bool saveTraceU64(const std::string& path, const std::vector<std::uint64_t>& keys, std::string& error)
{
    File f = openFile(path, "wb", error);
    if (!f) return false;
    std::vector<std::uint64_t> le(keys);
    if constexpr (std::endian::native == std::endian::big)
        for (auto& k : le) k = __builtin_bswap64(k);
    if (std::fwrite(le.data(), 8, le.size(), f.get()) != le.size() || std::fflush(f.get()) != 0) {
        error = path + ": write failed: " + std::strerror(errno);
        return false;
    }
    return true;
}

bool saveTraceText(const std::string& path, const Trace& trace, std::string& error)
{
    File f = openFile(path, "wb", error);
    if (!f) return false;
    static const char* const kOps[] = {"get", "set", "del"};
    const bool timed = trace.times.size() == trace.keys.size();
    for (std::size_t i = 0; i < trace.keys.size(); ++i) {
        const std::uint64_t k = trace.keys[i];
        const std::string name = k < trace.names.size() ? trace.names[k] : std::to_string(k);
        int rc;
        if (trace.ops.empty()) rc = std::fprintf(f.get(), "%s\n", name.c_str());
        else if (timed) rc = std::fprintf(f.get(), "%.6f,%s,%s\n", trace.times[i], name.c_str(), kOps[static_cast<int>(trace.ops[i])]);
        else rc = std::fprintf(f.get(), "%zu,%s,%s\n", i, name.c_str(), kOps[static_cast<int>(trace.ops[i])]);
        if (rc < 0) {
            error = path + ": write failed: " + std::strerror(errno);
            return false;
        }
    }
    if (std::fflush(f.get()) != 0) {
        error = path + ": write failed: " + std::strerror(errno);
        return false;
    }
    return true;
}

std::uint64_t densify(std::vector<std::uint64_t>& keys)
{
    IdMap map(keys.size() / 4 + 16);
    for (auto& k : keys) k = map.idOf(k);
    return map.size();
}

} // namespace cachelens::engine::sim
