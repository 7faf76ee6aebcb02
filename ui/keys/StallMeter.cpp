#include "ui/keys/StallMeter.h"

#include <QTimer>

#include <ctime>

namespace cachelens::ui {

namespace {

qint64 threadCpuNs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

} // namespace

StallMeter::StallMeter(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &StallMeter::tick);
}

void StallMeter::start()
{
    m_maxStallMs = 0;
    m_maxStallCpuMs = 0;
    m_clock.start();
    m_lastNs = 0;
    m_lastCpuNs = threadCpuNs();
    m_timer->start();
}

void StallMeter::stop()
{
    if (!isRunning())
        return;
    tick();
    m_timer->stop();
}

bool StallMeter::isRunning() const
{
    return m_timer->isActive();
}

void StallMeter::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double lateMs = double(now - m_lastNs) / 1e6 - kTickMs;
    m_lastNs = now;
    if (lateMs > m_maxStallMs)
        m_maxStallMs = lateMs;
    const qint64 cpu = threadCpuNs();
    const double cpuMs = double(cpu - m_lastCpuNs) / 1e6;
    m_lastCpuNs = cpu;
    if (cpuMs > m_maxStallCpuMs)
        m_maxStallCpuMs = cpuMs;
}

} // namespace cachelens::ui
