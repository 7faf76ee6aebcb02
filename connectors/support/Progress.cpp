#include "connectors/support/Progress.h"

#include "connectors/support/Units.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <memory>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::Progress", text); }

ProgressMeter::Clock steadyClock()
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    return [timer] { return timer->elapsed(); };
}

} // namespace

ProgressMeter::ProgressMeter(Clock clock) : m_clock(clock ? std::move(clock) : steadyClock())
{
    start();
}

void ProgressMeter::start(qint64 total)
{
    m_startMs = m_windowMs = m_clock();
    m_total = total;
    m_done = m_windowDone = 0;
    m_rate = -1;
}

void ProgressMeter::setTotal(qint64 total) { m_total = total; }

void ProgressMeter::update(qint64 done)
{
    m_done = done;
    const qint64 now = m_clock();
    const qint64 span = now - m_windowMs;
    if (span < kWindowMs)
        return;
    const double recent = double(done - m_windowDone) * 1000.0 / double(span);
    m_rate = m_rate < 0 ? recent : kSmoothing * recent + (1 - kSmoothing) * m_rate;
    m_windowMs = now;
    m_windowDone = done;
}

double ProgressMeter::elapsedSeconds() const { return double(m_clock() - m_startMs) / 1000.0; }

double ProgressMeter::rate() const
{
    if (m_rate >= 0)
        return m_rate;
    const double seconds = elapsedSeconds();
    return seconds > 0 ? double(m_done) / seconds : 0;
}

double ProgressMeter::etaSeconds() const
{
    const double r = rate();
    if (m_total >= 0 && m_done == m_total)
        return 0;
    if (m_total < 0 || m_done <= 0 || r <= 0 || m_done > m_total)
        return -1;
    return double(m_total - m_done) / r;
}

QString ProgressMeter::line(const QString& counts, const QString& unit, const QLocale& locale) const
{
    return progressLine(counts, rate(), etaSeconds(), unit, locale);
}

QString progressLine(const QString& counts, double perSecond, double etaSeconds, const QString& unit, const QLocale& locale)
{
    QString text = counts + tr(" · %1").arg(formatRate(perSecond, unit, locale));
    if (etaSeconds > 0)
        text += tr(" · %1").arg(formatTimeLeft(etaSeconds, locale));
    return text;
}

QString formatRate(double perSecond, const QString& unit, const QLocale& locale)
{
    return tr("%1 %2/s").arg(locale.toString(qRound64(std::max(0.0, perSecond))), unit);
}

QString formatTimeLeft(double seconds, const QLocale& locale)
{
    return seconds < 0 ? QString() : tr("about %1 left").arg(formatDuration(seconds, locale));
}

} // namespace cachelens
