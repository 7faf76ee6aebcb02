#include "compression.h"

#include <zstd.h>

namespace cachelens::engine {

std::optional<std::string> compressValue(std::string_view raw, int level)
{
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
    if (ZSTD_isError(n) || n + raw.size() / 8 > raw.size()) return std::nullopt;
    out.resize(n);
    return out;
}

Status decompressValueInto(std::string_view frame, std::string& out)
{
    const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
        return Error{Errc::InvalidArgument, "stored value is not a complete zstd frame"};
    out.resize(static_cast<std::size_t>(size));
    const std::size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
    if (ZSTD_isError(n)) return Error{Errc::InvalidArgument, std::string("zstd: ") + ZSTD_getErrorName(n)};
    out.resize(n);
    return {};
}

Result<std::string> decompressValue(std::string_view frame)
{
    std::string out;
    Status st = decompressValueInto(frame, out);
    if (!st.ok()) return st.error();
    return out;
}

} // namespace cachelens::engine
