#pragma once
// Transparent value compression (zstd). Values at or above CacheOptions::compressAbove are stored compressed when
// that saves at least 1/8 of their size; callers always see the original bytes. zstd frames record the original
// size, so nothing else is stored. The zstd header stays out of this header: only compression.cpp includes it.
#include <optional>
#include <string>
#include <string_view>

#include <cachelens/result.h>

namespace cachelens::engine {

// The compressed frame, or nullopt when compressing would not save at least 1/8.
std::optional<std::string> compressValue(std::string_view raw, int level);
// Errors (a corrupt frame) come back as InvalidArgument with zstd's own message.
Result<std::string> decompressValue(std::string_view frame);
// Same, into a buffer the caller reuses (no allocation once it is large enough).
Status decompressValueInto(std::string_view frame, std::string& out);

} // namespace cachelens::engine
