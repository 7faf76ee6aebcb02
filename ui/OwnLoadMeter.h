#pragma once
// What CacheLens itself costs the server it watches, for the status bar: "CacheLens: 12 cmd/s, 0.4 ms p99".
// Fed with the selected source's samples (monotonic own-command counters); a source that reports none (the local
// engine) gives no text.
#include "connectors/SourceTypes.h"

#include <optional>

namespace cachelens::ui {

class OwnLoadMeter
{
public:
    // Returns the status text after this sample, or an empty string when the source reports no own load.
    QString update(const StatsSample& sample);
    void reset() { m_last.reset(); }

private:
    std::optional<StatsSample> m_last;
};

} // namespace cachelens::ui
