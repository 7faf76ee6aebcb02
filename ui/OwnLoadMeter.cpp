#include "ui/OwnLoadMeter.h"

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::ui {

QString OwnLoadMeter::update(const StatsSample& sample)
{
    if (sample.ownCommands < 0) {
        m_last.reset();
        return {};
    }
    const QLocale locale;
    QString rate = QStringLiteral("…");
    if (m_last && m_last->sourceId == sample.sourceId && sample.ownCommands >= m_last->ownCommands) {
        const double seconds = double(m_last->time.msecsTo(sample.time)) / 1000.0;
        if (seconds > 0)
            rate = locale.toString(double(sample.ownCommands - m_last->ownCommands) / seconds, 'f', 0);
    }
    m_last = sample;
    QString text = QCoreApplication::translate("OwnLoadMeter", "CacheLens: %1 cmd/s").arg(rate);
    if (sample.ownLatencyP99Ms >= 0)
        text += QCoreApplication::translate("OwnLoadMeter", ", %1 ms p99").arg(locale.toString(sample.ownLatencyP99Ms, 'f', 1));
    return text;
}

} // namespace cachelens::ui
