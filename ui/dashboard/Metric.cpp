#include "ui/dashboard/Metric.h"

#include "connectors/support/Units.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace cachelens::ui {

Unit metricUnit(Metric metric)
{
    switch (metric) {
    case Metric::HitRate:
        return Unit::Percent;
    case Metric::Memory:
        return Unit::Bytes;
    case Metric::Keys:
    case Metric::Clients:
        return Unit::Count;
    default:
        return Unit::PerSecond;
    }
}

QString metricName(Metric metric)
{
    switch (metric) {
    case Metric::HitsPerSec: return QCoreApplication::translate("cachelens::ui::Metric", "hits/s");
    case Metric::MissesPerSec: return QCoreApplication::translate("cachelens::ui::Metric", "misses/s");
    case Metric::HitRate: return QCoreApplication::translate("cachelens::ui::Metric", "hit rate");
    case Metric::OpsPerSec: return QCoreApplication::translate("cachelens::ui::Metric", "ops/s");
    case Metric::Memory: return QCoreApplication::translate("cachelens::ui::Metric", "memory");
    case Metric::Keys: return QCoreApplication::translate("cachelens::ui::Metric", "keys");
    case Metric::EvictionsPerSec: return QCoreApplication::translate("cachelens::ui::Metric", "evictions/s");
    case Metric::ExpirationsPerSec: return QCoreApplication::translate("cachelens::ui::Metric", "expirations/s");
    case Metric::Clients: return QCoreApplication::translate("cachelens::ui::Metric", "clients");
    }
    return {};
}

double metricValue(const RatePoint& p, Metric metric)
{
    switch (metric) {
    case Metric::HitsPerSec: return p.hitsPerSec;
    case Metric::MissesPerSec: return p.missesPerSec;
    case Metric::HitRate: return p.windowHitRatePct;
    case Metric::OpsPerSec: return p.opsPerSec;
    case Metric::Memory: return p.memoryBytes;
    case Metric::Keys: return p.keys;
    case Metric::EvictionsPerSec: return p.evictionsPerSec;
    case Metric::ExpirationsPerSec: return p.expirationsPerSec;
    case Metric::Clients: return p.clients;
    }
    return kNaN;
}

QString formatValue(double value, Unit unit, const QLocale& locale)
{
    if (std::isnan(value))
        return QStringLiteral("—");
    switch (unit) {
    case Unit::PerSecond:
        return QCoreApplication::translate("cachelens::ui::Metric", "%1/s")
            .arg(locale.toString(value, 'f', value < 100 ? 1 : 0));
    case Unit::Percent:
        return QCoreApplication::translate("cachelens::ui::Metric", "%1 %").arg(locale.toString(value, 'f', 1));
    case Unit::Bytes:
        return formatBytes(qint64(std::llround(value)), 1, locale);
    case Unit::Count:
        return locale.toString(qint64(std::llround(value)));
    }
    return {};
}

QString ownLookupNote(const RatePoint& latest, const QLocale& locale)
{
    if (std::isnan(latest.ownLookupsPerSec))
        return QCoreApplication::translate("cachelens::ui::Metric",
                                           "the server's raw figure: CacheLens's own lookups cannot be known here");
    const double rate = latest.ownLookupsPerSec;
    QString note = QCoreApplication::translate("cachelens::ui::Metric", "corrected for CacheLens's own %1 lookups/s")
                       .arg(locale.toString(rate, 'f', rate > 0 && rate < 10 ? 1 : 0));
    if (latest.ownUncountable)
        note += QCoreApplication::translate("cachelens::ui::Metric", " (not those of its Lua scripts, which cannot be counted)");
    return note;
}

QString formatChange(double now, double before, Unit unit, const QLocale& locale)
{
    if (std::isnan(now) || std::isnan(before))
        return {};
    const double d = now - before;
    const QString sign = d > 0 ? QStringLiteral("+") : d < 0 ? QStringLiteral("−") : QString();
    const double a = std::abs(d);
    switch (unit) {
    case Unit::Percent:
        return QCoreApplication::translate("cachelens::ui::Metric", "%1%2 points").arg(sign, locale.toString(a, 'f', 1));
    case Unit::PerSecond:
        return QCoreApplication::translate("cachelens::ui::Metric", "%1%2/s")
            .arg(sign, locale.toString(a, 'f', a < 100 ? 1 : 0));
    case Unit::Bytes:
        return sign + formatBytes(qint64(std::llround(a)), 1, locale);
    case Unit::Count:
        return sign + locale.toString(qint64(std::llround(a)));
    }
    return {};
}

} // namespace cachelens::ui
