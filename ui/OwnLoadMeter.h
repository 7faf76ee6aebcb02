#pragma once
// What CacheLens itself costs the server it watches: "CacheLens: 12 cmd/s, 8 lookups/s, 0.4 ms p99" in the status
// bar (lookups: the keyspace hits and misses its commands add to the server's hit rate) and a
// Dashboard tile. Fed with a source's samples (monotonic own-command counters); a source that reports none (the
// local engine) gives an invalid reading.
#include "connectors/SourceTypes.h"

#include <optional>

namespace cachelens::ui {

class OwnLoadMeter
{
public:
    struct Reading {
        bool valid = false;
        QString rate;       // "12 cmd/s" ("… cmd/s" until two samples of the same run exist)
        QString lookups;    // "8 lookups/s", empty when the source does not count them or before a second sample
        QString latency;    // "0.4 ms p99", empty before the first reply
        QString text() const;   // "CacheLens: 12 cmd/s, 0.4 ms p99", or empty when not valid
    };

    Reading update(const StatsSample& sample);
    void reset() { m_last.reset(); }

private:
    std::optional<StatsSample> m_last;
};

} // namespace cachelens::ui
