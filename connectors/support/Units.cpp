#include "connectors/support/Units.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <cmath>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::Units", text); }

QString unknown() { return QStringLiteral("?"); }

} // namespace

QString formatBytes(qint64 bytes, int precision, const QLocale& locale)
{
    if (bytes < 0)
        return unknown();
    if (bytes < 1024)
        return tr("%1 B").arg(locale.toString(bytes));
    // IEC symbols are the same in every language; only the number is localised.
    static constexpr std::array<const char*, 6> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    precision = std::clamp(precision, 0, 3);
    const double step = std::pow(10.0, precision);
    double value = double(bytes) / 1024.0;
    std::size_t unit = 0;
    // 1,048,575 bytes is 1023.999 KiB: rounded to the precision shown it is 1,024.0 KiB, which reads as 1.0 MiB.
    while (unit + 1 < kUnits.size() && std::round(value * step) / step >= 1024.0) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(locale.toString(value, 'f', precision), QLatin1String(kUnits[unit]));
}

QString formatDuration(double seconds, const QLocale& locale)
{
    if (!(seconds >= 0))
        return unknown();
    const qint64 ms = qint64(std::llround(std::min(seconds, 1e15) * 1000.0));
    if (ms < 1000)
        return tr("%1 ms").arg(locale.toString(ms));
    const qint64 tenths = (ms + 50) / 100;
    if (tenths < 600)
        return tr("%1 s").arg(locale.toString(double(tenths) / 10.0, 'f', 1));
    const qint64 s = (ms + 500) / 1000;
    const QLatin1Char zero('0');
    if (s < 3600)
        return tr("%1 min %2 s").arg(locale.toString(s / 60)).arg(s % 60, 2, 10, zero);
    const qint64 min = (s + 30) / 60;
    if (min < 24 * 60)
        return tr("%1 h %2 min").arg(locale.toString(min / 60)).arg(min % 60, 2, 10, zero);
    const qint64 h = (min + 30) / 60;
    return tr("%1 d %2 h").arg(locale.toString(h / 24)).arg(h % 24, 2, 10, zero);
}

} // namespace cachelens
