#include <cachelens/result.h>

namespace cachelens::engine {

const char* errcName(Errc code) noexcept
{
    switch (code) {
    case Errc::ValueTooLarge: return "value_too_large";
    case Errc::KeyTooLarge: return "key_too_large";
    case Errc::InvalidArgument: return "invalid_argument";
    case Errc::LoaderFailed: return "loader_failed";
    case Errc::Disabled: return "disabled";
    case Errc::Unsupported: return "unsupported";
    case Errc::Unavailable: return "unavailable";
    }
    return "?";
}

} // namespace cachelens::engine
