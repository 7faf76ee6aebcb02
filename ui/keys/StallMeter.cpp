#include "ui/keys/StallMeter.h"

#include <QTimer>

namespace cachelens::ui {

StallMeter::StallMeter(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &StallMeter::tick);
}

void StallMeter::start()
{
    m_maxStallMs = 0;
    m_clock.start();
    m_lastNs = 0;
    m_timer->start();
}

void StallMeter::stop()
{
    tick();
    m_timer->stop();
}

void StallMeter::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double lateMs = double(now - m_lastNs) / 1e6 - kTickMs;
    m_lastNs = now;
    if (lateMs > m_maxStallMs)
        m_maxStallMs = lateMs;
}

} // namespace cachelens::ui
