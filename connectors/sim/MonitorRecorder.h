#pragma once
// Recording a trace from a Redis server with MONITOR, for a bounded time or number of requests.
//
// MONITOR makes the server copy every command it runs to this client: on a busy production server that costs it
// noticeable CPU and output-buffer memory for as long as it runs (Redis's documentation measures throughput
// dropping by half or more). Recordings are therefore bounded (seconds and requests), and callers warn first.
//
// Each MONITOR line `1700000000.123456 [0 127.0.0.1:5555] "GET" "user:\x00\n"` gives a timestamp and the command's
// arguments in Redis's quoted form (sdscatrepr: \" \\ \n \r \t \a \b and \xHH for other bytes), decoded here to
// the exact bytes. Read commands (GET, MGET, HGET…) become get requests of their keys, writes (SET, HSET, INCR…)
// set, DEL/UNLINK/GETDEL del; other commands are skipped and counted.
#include <cachelens/sim/trace_file.h>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace cachelens::sim {

struct MonitorLine {
    double timestamp = 0;
    QList<QByteArray> args; // the command and its arguments, as exact bytes
};
// std::nullopt for a line that is not a MONITOR command line (e.g. the +OK that starts it).
std::optional<MonitorLine> parseMonitorLine(const QByteArray& line);

// Accumulates requests into a Trace (keys as ids by first appearance; names keep the bytes, shown escaped).
class TraceBuilder {
public:
    // Adds the requests of one command; false when the command is not one a cache trace records.
    bool add(const MonitorLine& line);
    void add(const QByteArray& key, engine::sim::TraceRequest op, double timestamp = 0);
    const engine::sim::Trace& trace() const { return m_trace; }
    std::uint64_t requests() const { return m_trace.keys.size(); }
    std::uint64_t skippedCommands() const { return m_skipped; }
    void truncate(std::uint64_t requests);

private:
    engine::sim::Trace m_trace;
    QHash<QByteArray, std::uint64_t> m_ids;
    std::uint64_t m_skipped = 0;
};

// A key as a trace file's text form keeps it: printable ASCII as is, everything else (and ',' and '\\') as \xHH,
// so binary keys survive a text trace and stay distinct.
std::string escapeTraceKey(const QByteArray& key);

struct RecordOptions {
    std::chrono::milliseconds duration{10'000};
    std::uint64_t maxRequests = 0;                 // 0 = no limit
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::uint64_t requests, double seconds)> progress; // about every 200 ms
};
struct RecordReport {
    std::uint64_t requests = 0, skippedCommands = 0;
    double seconds = 0;
    bool cancelled = false, hitLimit = false;
};

// Connects to `url` (any URL the engine's redis provider takes: redis:// with user/password and db, rediss://, unix://,
// redis-sentinel://; on a cluster, the one node the URL names), runs MONITOR and records until the duration, the
// request limit or cancel. Blocking (a plain socket, no event loop): run it off the GUI thread.
// False with `error` set when it cannot connect, authenticate or start MONITOR (a partial recording is kept
// when the connection drops mid-way: report says how much).
bool recordMonitor(const QString& url, const RecordOptions& options, TraceBuilder& out, RecordReport& report,
                   QString& error);

} // namespace cachelens::sim
