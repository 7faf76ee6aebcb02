#pragma once
// Alert rules of the dashboard and their evaluation over a source's rate points. Pure: no widgets, no clock.
//
// - hit rate below X %: over the last minute (lookups summed, not percentages averaged)
// - falling more than Y points below the trailing 10-minute average: last minute against the ten minutes before it
// - memory above Z bytes: the latest sample
// A rule fires once when its condition becomes true and re-arms when it is false again, so a bad quarter of an hour
// is one alert, not nine hundred. Periods with fewer than kMinLookups lookups say nothing about a hit rate.
#include "ui/dashboard/RateCalculator.h"

#include <QString>

#include <array>
#include <deque>
#include <vector>

namespace cachelens::ui {

struct AlertRules {
    bool hitRateBelowEnabled = false;
    double hitRateBelowPct = 80;
    bool dropEnabled = false;
    double dropPoints = 10;
    bool memoryAboveEnabled = false;
    double memoryAboveBytes = 1024.0 * 1024 * 1024;

    bool any() const { return hitRateBelowEnabled || dropEnabled || memoryAboveEnabled; }
};

struct Alert {
    enum class Kind { HitRateBelow, HitRateDrop, MemoryAbove };
    Kind kind;
    double time = 0;          // key of the point that fired it
    double value = kNaN;      // hit rate %, points below the average, or bytes
    double threshold = kNaN;
    double baseline = kNaN;   // HitRateDrop: the trailing average
};

class AlertEvaluator
{
public:
    static constexpr double kRecentSeconds = 60;
    static constexpr double kBaselineSeconds = 600;
    static constexpr double kMinLookups = 20;

    void setRules(const AlertRules& rules) { m_rules = rules; }
    const AlertRules& rules() const { return m_rules; }

    // Evaluates at the newest point; returns the alerts that started with it.
    std::vector<Alert> evaluate(const std::deque<RatePoint>& points);
    bool isActive(Alert::Kind kind) const { return m_active[size_t(kind)]; }
    void reset() { m_active = {}; }

private:
    AlertRules m_rules;
    std::array<bool, 3> m_active{};
};

QString describe(const Alert& alert, const QString& sourceName);   // one sentence for the banner and the tray

} // namespace cachelens::ui
