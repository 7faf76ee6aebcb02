#pragma once
// Errors a caller can act on travel as values: Status for operations without a result, Result<T> otherwise.
#include <string>
#include <utility>
#include <variant>

namespace cachelens::engine {

enum class Errc {
    ValueTooLarge,   // the entry (key + value + overhead) is larger than the byte bound of its shard
    KeyTooLarge,     // keys are limited to 65,535 bytes
    InvalidArgument, // a bad option or configuration value; the message names it
    LoaderFailed,    // a wrap() loader threw or returned an error
    Disabled,        // the cache is switched off (CACHE_ENABLED=false); wrap() still calls the loader
    Unsupported,     // the provider cannot do this (e.g. a Redis provider asked for a local-only feature)
    Unavailable,     // a remote provider cannot be reached (fail-closed wrap(), set() while Redis is down)
};

// The code as a word for logs and --json output: "loader_failed", "unavailable", …
const char* errcName(Errc code) noexcept;

struct Error {
    Errc code;
    std::string message;
};

class Status {
public:
    Status() = default;
    Status(Error e) : error_(std::move(e)), ok_(false) {} // NOLINT: implicit on purpose, `return Error{…};`
    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_{Errc::InvalidArgument, {}};
    bool ok_ = true;
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}   // NOLINT: implicit on purpose
    Result(Error error) : v_(std::move(error)) {} // NOLINT
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> v_;
};

} // namespace cachelens::engine
