#pragma once
// Single-flight for wrap(): the first caller that misses a key becomes the leader and runs the loader; callers
// that miss the same key meanwhile join its flight and wait for its outcome (value or error) instead of calling
// the loader again. Flights live in 16 striped maps, each guarded by its own mutex; a Flight's own mutex guards
// its result. The leader must always call finish(), also when the loader throws.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <cachelens/entry.h>
#include <cachelens/result.h>

namespace cachelens::engine {

class SingleFlight {
public:
    struct Flight {
        std::mutex mu;
        std::condition_variable cv;
        std::optional<Result<ValueRef>> result;
    };
    struct Ticket {
        std::shared_ptr<Flight> flight;
        bool leader = false;
    };

    Ticket join(std::string_view key);
    static Result<ValueRef> wait(Flight& f);
    void finish(std::string_view key, const std::shared_ptr<Flight>& f, Result<ValueRef> result);
    std::size_t inFlight() const;

private:
    static constexpr unsigned kStripes = 16;
    struct Stripe {
        mutable std::mutex mu;
        std::unordered_map<std::string, std::shared_ptr<Flight>> flights;
    };
    Stripe& stripeFor(std::string_view key);
    Stripe stripes_[kStripes];
};

} // namespace cachelens::engine
