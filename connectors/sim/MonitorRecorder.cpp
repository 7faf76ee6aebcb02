#include "connectors/sim/MonitorRecorder.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/provider/BlockingRedis.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace cachelens::sim {

using engine::sim::TraceRequest;

namespace {

QString tr(const char* s) { return QCoreApplication::translate("Simulation", s); }

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Which commands a cache trace records, and how: the key arguments and the request kind.
enum class KeyArgs { First, All, Pairs };
struct CommandKind {
    TraceRequest op;
    KeyArgs keys;
};
std::optional<CommandKind> kindOf(QByteArray name)
{
    name = name.toUpper();
    static const QSet<QByteArray> reads{"GET", "GETEX", "HGET", "HGETALL", "HMGET", "HEXISTS", "STRLEN", "SMEMBERS",
                                        "SISMEMBER", "LRANGE", "LINDEX", "ZRANGE", "ZSCORE", "GETRANGE", "TYPE", "TTL", "PTTL"};
    static const QSet<QByteArray> readsAll{"MGET", "EXISTS"};
    static const QSet<QByteArray> writes{"SET", "SETEX", "PSETEX", "SETNX", "GETSET", "HSET", "HSETNX", "HMSET", "HDEL",
                                         "INCR", "INCRBY", "DECR", "DECRBY", "INCRBYFLOAT", "HINCRBY", "APPEND", "SETRANGE",
                                         "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "SREM", "ZADD", "ZREM", "EXPIRE",
                                         "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST"};
    static const QSet<QByteArray> dels{"DEL", "UNLINK"};
    if (reads.contains(name)) return CommandKind{TraceRequest::Get, KeyArgs::First};
    if (readsAll.contains(name)) return CommandKind{TraceRequest::Get, KeyArgs::All};
    if (writes.contains(name)) return CommandKind{TraceRequest::Set, KeyArgs::First};
    if (name == "MSET" || name == "MSETNX") return CommandKind{TraceRequest::Set, KeyArgs::Pairs};
    if (dels.contains(name)) return CommandKind{TraceRequest::Del, KeyArgs::All};
    if (name == "GETDEL") return CommandKind{TraceRequest::Del, KeyArgs::First};
    return std::nullopt;
}

} // namespace

std::optional<MonitorLine> parseMonitorLine(const QByteArray& line)
{
    const qsizetype bracket = line.indexOf(" [");
    if (bracket <= 0) return std::nullopt;
    bool ok = false;
    MonitorLine m;
    m.timestamp = line.left(bracket).toDouble(&ok);
    if (!ok) return std::nullopt;
    qsizetype i = line.indexOf("] ", bracket);
    if (i < 0) return std::nullopt;
    i += 2;
    const qsizetype n = line.size();
    while (i < n) {
        if (line[i] == ' ') {
            ++i;
            continue;
        }
        if (line[i] != '"') return std::nullopt;
        ++i;
        QByteArray arg;
        bool closed = false;
        while (i < n) {
            const char c = line[i++];
            if (c == '"') {
                closed = true;
                break;
            }
            if (c != '\\' || i >= n) {
                arg.append(c);
                continue;
            }
            const char e = line[i++];
            switch (e) {
            case 'n': arg.append('\n'); break;
            case 'r': arg.append('\r'); break;
            case 't': arg.append('\t'); break;
            case 'a': arg.append('\a'); break;
            case 'b': arg.append('\b'); break;
            case 'x': {
                const int hi = i < n ? hexValue(line[i]) : -1, lo = i + 1 < n ? hexValue(line[i + 1]) : -1;
                if (hi < 0 || lo < 0) return std::nullopt;
                arg.append(static_cast<char>(hi * 16 + lo));
                i += 2;
                break;
            }
            default: arg.append(e); break; // \" and \\ (and anything else: the character itself)
            }
        }
        if (!closed) return std::nullopt;
        m.args.append(arg);
    }
    if (m.args.isEmpty()) return std::nullopt;
    return m;
}

std::string escapeTraceKey(const QByteArray& key)
{
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    out.reserve(static_cast<std::size_t>(key.size()));
    for (const char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        if (c > 0x20 && c < 0x7f && c != ',' && c != '\\') {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

void TraceBuilder::add(const QByteArray& key, TraceRequest op, double timestamp)
{
    auto it = m_ids.find(key);
    if (it == m_ids.end()) {
        it = m_ids.insert(key, m_trace.names.size());
        m_trace.names.push_back(escapeTraceKey(key));
    }
    m_trace.keys.push_back(*it);
    m_trace.ops.push_back(op);
    m_trace.times.push_back(timestamp);
}

void TraceBuilder::truncate(std::uint64_t requests)
{
    if (requests >= m_trace.keys.size()) return;
    m_trace.keys.resize(requests);
    m_trace.ops.resize(requests);
    m_trace.times.resize(requests);
}

bool TraceBuilder::add(const MonitorLine& line)
{
    const auto kind = kindOf(line.args.first());
    if (!kind || line.args.size() < 2) {
        ++m_skipped;
        return false;
    }
    switch (kind->keys) {
    case KeyArgs::First: add(line.args[1], kind->op, line.timestamp); break;
    case KeyArgs::All:
        for (qsizetype i = 1; i < line.args.size(); ++i) add(line.args[i], kind->op, line.timestamp);
        break;
    case KeyArgs::Pairs:
        for (qsizetype i = 1; i < line.args.size(); i += 2) add(line.args[i], kind->op, line.timestamp);
        break;
    }
    return true;
}

bool recordMonitor(const QString& urlText, const RecordOptions& options, TraceBuilder& out, RecordReport& report,
                   QString& error)
{
    const auto parsed = ConnectionUrl::parse(urlText);
    if (!parsed.ok()) {
        error = parsed.error;
        return false;
    }
    const QString label = parsed.url->endpointLabel();
    auto endpoint = provider::parseRedisUrl(urlText.toStdString());
    if (!endpoint.ok()) {
        error = QString::fromStdString(endpoint.error().message);
        return false;
    }
    endpoint.value().timeout = std::chrono::milliseconds(3000);
    provider::BlockingConnection connection(endpoint.value()); // AUTH and SELECT from the URL; TLS, unix, sentinel
    std::string why;
    if (!connection.connect(why)) {
        error = tr("cannot connect to %1: %2").arg(label, QString::fromStdString(why));
        return false;
    }
    provider::Reply reply;
    if (!connection.command({"MONITOR"}, reply, why) || reply.isError()) {
        error = tr("MONITOR refused on %1: %2").arg(label, QString::fromStdString(why.empty() ? reply.str : why));
        return false;
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto lastProgress = start;
    auto elapsed = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start); };
    while (elapsed() < options.duration) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
            report.cancelled = true;
            break;
        }
        const auto wait = std::clamp<std::chrono::milliseconds>(options.duration - elapsed(), std::chrono::milliseconds(1),
                                                                std::chrono::milliseconds(100));
        switch (connection.read(reply, wait, why)) {
        case provider::BlockingConnection::ReadResult::Reply:
            if (reply.type == provider::Reply::Type::Status)
                if (const auto line = parseMonitorLine(QByteArray::fromStdString(reply.str))) out.add(*line);
            break;
        case provider::BlockingConnection::ReadResult::TimedOut: break;
        case provider::BlockingConnection::ReadResult::Failed:
            error = tr("the connection to %1 closed after %2 s: %3")
                        .arg(label)
                        .arg(double(elapsed().count()) / 1000.0, 0, 'f', 1)
                        .arg(QString::fromStdString(why));
            break;
        }
        if (!error.isEmpty()) break;
        if (options.maxRequests && out.requests() >= options.maxRequests) {
            report.hitLimit = true;
            break;
        }
        if (options.progress && Clock::now() - lastProgress >= std::chrono::milliseconds(200)) {
            lastProgress = Clock::now();
            options.progress(out.requests(), double(elapsed().count()) / 1000);
        }
    }
    connection.close(); // MONITOR ends with the connection
    if (options.maxRequests && out.requests() > options.maxRequests) {
        // MGET/DEL lines add several requests: keep the limit exact.
        out.truncate(options.maxRequests);
    }
    report.requests = out.requests();
    report.skippedCommands = out.skippedCommands();
    report.seconds = double(elapsed().count()) / 1000;
    return error.isEmpty();
}

} // namespace cachelens::sim
