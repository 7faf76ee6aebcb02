#pragma once
// Recording a trace from either source, bounded by seconds and/or requests, saved as a trace file that `replay`,
// `mrc` and `trace` workloads read:
//   - the local engine's access tap (engine/sim/tap_recording): key ids are the engine's key hashes, gets carry the
//     engine's own hit or miss, so the recording knows the live hit ratio of the requests it holds;
//   - a Redis server's MONITOR stream (MonitorRecorder), which costs the server noticeably while it runs.
//
// recordTrace() is the whole job on the calling thread (cachelensctl record calls it). TraceRecorder runs it as a job
// on its Worker (connectors/support/Worker.h) for the Simulate panel and hands progress and the result back as the
// worker's replies, so its signals are emitted on its own thread.
#include <cachelens/policy.h>
#include <cachelens/sim/trace_file.h>

#include "connectors/support/Worker.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace cachelens::engine {
class Cache;
}

namespace cachelens::sim {

struct TraceRecordJob {
    std::shared_ptr<engine::Cache> cache; // record this engine's tap…
    QString url;                          // …or, without a cache, this Redis server's MONITOR stream (password included)
    QString display;                      // "Local engine", a connection's name: for the closing sentence
    std::chrono::milliseconds duration{10'000};
    std::uint64_t maxRequests = 0;        // 0 = no limit
    QString path;
    engine::sim::TraceFormat format = engine::sim::TraceFormat::U64Le;
};

struct TraceRecording {
    bool saved = false;           // the file was written (possibly a partial recording: see error)
    QString error;                // why it failed, or why it ended early
    QString display, path;
    engine::sim::TraceFormat format = engine::sim::TraceFormat::U64Le;
    bool local = false;
    std::uint64_t requests = 0, keys = 0;
    std::uint64_t skippedCommands = 0; // MONITOR: commands that are not cache requests
    std::uint64_t lost = 0;            // tap: records overwritten before the recorder read them (gaps)
    std::uint64_t liveGets = 0, liveHits = 0; // tap: the engine's own outcome for the recorded gets
    // tap: the recorded engine's shape, so a replay can use the same
    engine::PolicyKind policy = engine::PolicyKind::WTinyLfu;
    std::uint64_t maxEntries = 0, maxBytes = 0;
    double seconds = 0;
    bool cancelled = false, hitLimit = false;
};
// One sentence saying exactly what happened: "Recorded 41,233 requests to 1,234 keys from Local engine in 10.0 s
// and saved them to /tmp/t.u64 (u64le); the engine hit 87.31 % of the 40,002 gets."
QString describeRecording(const TraceRecording& r);

struct TraceRecordHooks {
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::uint64_t requests, double seconds)> progress; // about every 200 ms
    std::function<void()> started, stopping; // tap recordings: see engine::sim::TapRecordOptions
};

TraceRecording recordTrace(const TraceRecordJob& job, const TraceRecordHooks& hooks = {});

class TraceRecorder : public QObject {
    Q_OBJECT
public:
    explicit TraceRecorder(QObject* parent = nullptr);
    ~TraceRecorder() override; // cancels a running recording and waits for its thread

    bool start(TraceRecordJob job); // false while a recording runs
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    void progress(quint64 requests, double seconds);
    void finished(const cachelens::sim::TraceRecording& result);

private:
    bool m_running = false; // GUI thread only
    Worker m_worker;        // last: joined before the members above go
};

} // namespace cachelens::sim

Q_DECLARE_METATYPE(cachelens::sim::TraceRecording)
