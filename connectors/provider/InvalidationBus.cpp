#include "InvalidationBus.h"

#include <optional>

namespace cachelens::provider {

std::string encodeBusMessage(std::string_view instance, std::string_view kind, std::string_view payload)
{
    std::string m = "1|";
    m.append(instance).append("|").append(kind).append("|").append(payload);
    return m;
}

bool decodeBusMessage(std::string_view m, BusMessage& out)
{
    if (m.size() < 2 || m.substr(0, 2) != "1|") return false;
    m.remove_prefix(2);
    const auto a = m.find('|');
    if (a == std::string_view::npos) return false;
    const auto b = m.find('|', a + 1);
    if (b == std::string_view::npos) return false;
    out.instance = m.substr(0, a);
    out.kind = m.substr(a + 1, b - a - 1);
    out.payload = m.substr(b + 1);
    return out.kind == "key" || out.kind == "tag" || out.kind == "pattern" || out.kind == "clear";
}

InvalidationBus::InvalidationBus(std::function<std::vector<RedisEndpoint>()> endpoints, std::string channel,
                                 std::function<void(std::string_view)> onMessage, std::function<void(bool)> onState,
                                 milliseconds pingEvery)
    : endpoints_(std::move(endpoints)), channel_(std::move(channel)), onMessage_(std::move(onMessage)),
      onState_(std::move(onState)), pingEvery_(pingEvery), thread_([this] { run(); })
{
}

InvalidationBus::~InvalidationBus()
{
    {
        std::lock_guard lock(mu_);
        stop_.store(true);
    }
    cv_.notify_all();
    thread_.join();
}

void InvalidationBus::run()
{
    bool subscribed = false;
    std::size_t attempt = 0;
    auto backoff = [&] {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stop_.load(); });
    };
    using Clock = std::chrono::steady_clock;
    while (!stop_.load()) {
        const std::vector<RedisEndpoint> eps = endpoints_();
        const RedisEndpoint& ep = eps.at(attempt++ % eps.size());
        BlockingConnection c(ep);
        std::string error;
        if (!c.connect(error) || !c.send({"SUBSCRIBE", channel_}, error)) {
            backoff();
            continue;
        }
        // Silence is only trusted for a while: waiting for the SUBSCRIBE confirmation or for a PING's answer.
        Clock::time_point heard = Clock::now();
        std::optional<Clock::time_point> waitingSince = heard;
        Reply r;
        while (!stop_.load()) {
            const auto rr = c.read(r, std::chrono::milliseconds(100), error);
            if (rr == BlockingConnection::ReadResult::Failed) break;
            const auto now = Clock::now();
            if (rr == BlockingConnection::ReadResult::TimedOut) {
                if (waitingSince) {
                    if (now - *waitingSince > ep.timeout) break; // no answer: as good as disconnected
                } else if (now - heard >= pingEvery_) {
                    if (!c.send({"PING"}, error)) break;
                    waitingSince = now;
                }
                continue;
            }
            heard = now;
            if (subscribed) waitingSince.reset(); // any traffic (a message, the PING's "pong") proves the link
            if (r.type != Reply::Type::Array || r.elements.size() < 3) continue;
            const std::string& what = r.elements[0].str;
            if (what == "subscribe") {
                subscribed = true;
                waitingSince.reset();
                onState_(true);
            } else if (what == "message") {
                onMessage_(r.elements[2].str);
            }
        }
        c.close();
        if (subscribed) {
            subscribed = false;
            onState_(false);
        }
        if (!stop_.load()) backoff();
    }
}

} // namespace cachelens::provider
