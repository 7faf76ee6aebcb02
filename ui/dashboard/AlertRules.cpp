#include "ui/dashboard/AlertRules.h"

#include "ui/dashboard/Metric.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace cachelens::ui {

namespace {

// Lookups and hit rate of the points with keys in (from, to].
std::pair<double, double> lookups(const std::deque<RatePoint>& points, double from, double to)
{
    double hits = 0, misses = 0;
    auto it = std::upper_bound(points.begin(), points.end(), from,
                               [](double k, const RatePoint& p) { return k < p.time; });
    for (; it != points.end() && it->time <= to; ++it) {
        hits += it->hits;
        misses += it->misses;
    }
    return {hits + misses, hitRatePercent(hits, misses)};
}

} // namespace

std::vector<Alert> AlertEvaluator::evaluate(const std::deque<RatePoint>& points)
{
    std::vector<Alert> fired;
    if (points.empty())
        return fired;
    const RatePoint& last = points.back();
    if (last.isGap())
        return fired;   // nothing new about the source; keep the state as it was
    const double now = last.time;

    const auto update = [&](Alert::Kind kind, bool enabled, bool condition, Alert alert) {
        bool& active = m_active[size_t(kind)];
        if (!enabled) {
            active = false;
            return;
        }
        if (condition && !active) {
            alert.kind = kind;
            alert.time = now;
            fired.push_back(alert);
        }
        active = condition;
    };

    const auto [recentLookups, recentRate] = lookups(points, now - kRecentSeconds, now);
    const bool enough = recentLookups >= kMinLookups;
    update(Alert::Kind::HitRateBelow, m_rules.hitRateBelowEnabled,
           enough && recentRate < m_rules.hitRateBelowPct,
           Alert{Alert::Kind::HitRateBelow, now, recentRate, m_rules.hitRateBelowPct, kNaN});

    const auto [baseLookups, baseRate] = lookups(points, now - kRecentSeconds - kBaselineSeconds, now - kRecentSeconds);
    const bool dropKnown = enough && baseLookups >= kMinLookups;
    update(Alert::Kind::HitRateDrop, m_rules.dropEnabled,
           dropKnown && baseRate - recentRate > m_rules.dropPoints,
           Alert{Alert::Kind::HitRateDrop, now, baseRate - recentRate, m_rules.dropPoints, baseRate});

    update(Alert::Kind::MemoryAbove, m_rules.memoryAboveEnabled,
           !std::isnan(last.memoryBytes) && last.memoryBytes > m_rules.memoryAboveBytes,
           Alert{Alert::Kind::MemoryAbove, now, last.memoryBytes, m_rules.memoryAboveBytes, kNaN});
    return fired;
}

QString describe(const Alert& alert, const QString& sourceName)
{
    const QLocale locale;
    const auto tr = [](const char* text) { return QCoreApplication::translate("cachelens::ui::AlertRules", text); };
    switch (alert.kind) {
    case Alert::Kind::HitRateBelow:
        return tr("%1: hit rate %2 over the last minute, below %3")
            .arg(sourceName, formatValue(alert.value, Unit::Percent, locale),
                 formatValue(alert.threshold, Unit::Percent, locale));
    case Alert::Kind::HitRateDrop:
        return tr("%1: hit rate fell %2 points below its 10-minute average of %3")
            .arg(sourceName, locale.toString(alert.value, 'f', 1), formatValue(alert.baseline, Unit::Percent, locale));
    case Alert::Kind::MemoryAbove:
        return tr("%1: memory %2, above %3")
            .arg(sourceName, formatValue(alert.value, Unit::Bytes, locale), formatValue(alert.threshold, Unit::Bytes, locale));
    }
    return {};
}

} // namespace cachelens::ui
