#include "single_flight.h"

#include "hash.h"

namespace cachelens::engine {

SingleFlight::Stripe& SingleFlight::stripeFor(std::string_view key)
{
    return stripes_[hashBytes(key) % kStripes];
}

SingleFlight::Ticket SingleFlight::join(std::string_view key)
{
    Stripe& s = stripeFor(key);
    std::lock_guard lock(s.mu);
    auto [it, inserted] = s.flights.try_emplace(std::string(key));
    if (inserted) it->second = std::make_shared<Flight>();
    return {it->second, inserted};
}

Result<ValueRef> SingleFlight::wait(Flight& f)
{
    std::unique_lock lock(f.mu);
    f.cv.wait(lock, [&] { return f.result.has_value(); });
    return *f.result;
}

void SingleFlight::finish(std::string_view key, const std::shared_ptr<Flight>& f, Result<ValueRef> result)
{
    {
        // Unpublish first: a caller arriving from now on starts a new flight (and will find the cached value).
        Stripe& s = stripeFor(key);
        std::lock_guard lock(s.mu);
        auto it = s.flights.find(std::string(key));
        if (it != s.flights.end() && it->second == f) s.flights.erase(it);
    }
    {
        std::lock_guard lock(f->mu);
        f->result.emplace(std::move(result));
    }
    f->cv.notify_all();
}

std::size_t SingleFlight::inFlight() const
{
    std::size_t n = 0;
    for (const auto& s : stripes_) {
        std::lock_guard lock(s.mu);
        n += s.flights.size();
    }
    return n;
}

} // namespace cachelens::engine
