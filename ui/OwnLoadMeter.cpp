#include "ui/OwnLoadMeter.h"

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::ui {

QString OwnLoadMeter::Reading::text() const
{
    if (!valid)
        return {};
    QString out = QCoreApplication::translate("OwnLoadMeter", "CacheLens: %1").arg(rate);
    if (!lookups.isEmpty())
        out += QStringLiteral(", ") + lookups;
    if (!latency.isEmpty())
        out += QStringLiteral(", ") + latency;
    return out;
}

OwnLoadMeter::Reading OwnLoadMeter::update(const StatsSample& sample)
{
    Reading r;
    if (sample.ownCommands < 0) {
        m_last.reset();
        return r;
    }
    const QLocale locale;
    QString rate = QStringLiteral("…");
    if (m_last && m_last->sourceId == sample.sourceId && sample.ownCommands >= m_last->ownCommands) {
        const double seconds = double(m_last->time.msecsTo(sample.time)) / 1000.0;
        if (seconds > 0) {
            rate = locale.toString(double(sample.ownCommands - m_last->ownCommands) / seconds, 'f', 0);
            const std::int64_t lookups = sample.ownHits + sample.ownMisses;
            const std::int64_t before = m_last->ownHits + m_last->ownMisses;
            if (sample.ownHits >= 0 && m_last->ownHits >= 0 && lookups >= before)
                r.lookups = QCoreApplication::translate("OwnLoadMeter", "%1 lookups/s")
                                .arg(locale.toString(double(lookups - before) / seconds, 'f', 0));
        }
    }
    m_last = sample;
    r.valid = true;
    r.rate = QCoreApplication::translate("OwnLoadMeter", "%1 cmd/s").arg(rate);
    if (sample.ownLatencyP99Ms >= 0)
        r.latency = QCoreApplication::translate("OwnLoadMeter", "%1 ms p99").arg(locale.toString(sample.ownLatencyP99Ms, 'f', 1));
    return r;
}

} // namespace cachelens::ui
