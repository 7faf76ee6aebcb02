#include "connectors/provider/InvalidationBus.h"

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
                                 std::function<void(std::string_view)> onMessage, std::function<void(bool)> onState)
    : endpoints_(std::move(endpoints)), channel_(std::move(channel)), onMessage_(std::move(onMessage)),
      onState_(std::move(onState)), thread_([this] { run(); })
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
    while (!stop_.load()) {
        const std::vector<RedisEndpoint> eps = endpoints_();
        BlockingConnection c(eps.at(attempt++ % eps.size()));
        std::string error;
        if (!c.connect(error) || !c.send({"SUBSCRIBE", channel_}, error)) {
            backoff();
            continue;
        }
        Reply r;
        while (!stop_.load()) {
            const auto rr = c.read(r, std::chrono::milliseconds(100), error);
            if (rr == BlockingConnection::ReadResult::TimedOut) continue;
            if (rr == BlockingConnection::ReadResult::Failed) break;
            if (r.type != Reply::Type::Array || r.elements.size() < 3) continue;
            const std::string& what = r.elements[0].str;
            if (what == "subscribe") {
                subscribed = true;
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
