#pragma once
// Trace files: the requests of a real or recorded workload, replayed by the simulator, `cachelensctl replay` and
// the miss-ratio curves.
//
//   text   one key per line; or CSV lines `timestamp,key,op` (op: get|set|del, also r|w|d and read|write|delete).
//          Keys are mapped to ids 0, 1, 2… in order of first appearance; the names are kept.
//   u64le  a flat array of little-endian uint64 key ids, 8 bytes per request: the compact form published
//          cache-research traces use. Ids are kept as they are.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cachelens::engine::sim {

enum class TraceFormat { Text, U64Le };
const char* traceFormatName(TraceFormat f) noexcept;
bool parseTraceFormat(std::string_view name, TraceFormat& out) noexcept;
// By file name: .bin, .u64, .u64le → U64Le; anything else → Text.
TraceFormat guessTraceFormat(const std::string& path) noexcept;

enum class TraceRequest : std::uint8_t { Get, Set, Del };

struct Trace {
    std::vector<std::uint64_t> keys;
    std::vector<TraceRequest> ops;      // empty: every request is a Get
    std::vector<std::string> names;     // text traces: names[id]; empty for u64le
    std::vector<double> times;          // seconds, when known (recordings; not read back): the CSV's timestamp column
    std::uint64_t skippedLines = 0;     // blank or unparseable lines in a text trace
    TraceRequest op(std::size_t i) const noexcept { return ops.empty() ? TraceRequest::Get : ops[i]; }
};

// std::nullopt with `error` set ("trace.txt line 12: unknown op 'put'", "trace.bin: size 13 is not a multiple of 8").
std::optional<Trace> loadTrace(const std::string& path, TraceFormat format, std::string& error);
bool saveTraceU64(const std::string& path, const std::vector<std::uint64_t>& keys, std::string& error);
// One key per line: names[id] when given, the decimal id otherwise; with ops, CSV `timestamp,key,op` lines (the
// timestamp from `times` when it has one per request, else the request's index).
bool saveTraceText(const std::string& path, const Trace& trace, std::string& error);

// Maps arbitrary ids to 0…distinct-1 in order of first appearance (in place); returns the number of distinct keys.
std::uint64_t densify(std::vector<std::uint64_t>& keys);

} // namespace cachelens::engine::sim
