#pragma once
// What CacheLens itself costs the server it watches: "CacheLens: 12 cmd/s, 0.4 ms p99" in the status bar and a
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
        QString latency;    // "0.4 ms p99", empty before the first reply
        QString text() const;   // "CacheLens: 12 cmd/s, 0.4 ms p99", or empty when not valid
    };

    Reading update(const StatsSample& sample);
    void reset() { m_last.reset(); }

private:
    std::optional<StatsSample> m_last;
};

} // namespace cachelens::ui
