#pragma once
// The one progress meter behind every "N of M · rate/s · about T left" line (key scans, memory and element reads,
// purges, tag invalidations, restores, simulations). Fed with what is done (and the total, when known or estimated),
// it gives a rate smoothed over the last few seconds, so a pause or a burst moves the ETA without making it jump from
// one update to the next, and an ETA from that rate. Time comes from an injected monotonic clock, so tests move a
// fake one. A plain value type: each job owns one, on its own thread. QtCore only.

#include <QLocale>
#include <QString>

#include <functional>

namespace cachelens {

class ProgressMeter {
public:
    using Clock = std::function<qint64()>;   // monotonic milliseconds

    explicit ProgressMeter(Clock clock = {});   // no clock: a steady clock of its own

    // Begins a run at the clock's now with nothing done. total < 0: unknown.
    void start(qint64 total = -1);
    void setTotal(qint64 total);   // an estimate may change while the run goes on
    void update(qint64 done);      // cumulative

    qint64 done() const { return m_done; }
    qint64 total() const { return m_total; }
    double elapsedSeconds() const;
    // Per second. The average since start until a first window (kWindowMs) has passed, then the smoothed recent rate.
    double rate() const;
    // Seconds until done reaches total at rate(): 0 when it has, -1 when unknown (no total, nothing done yet, or an
    // estimated total overtaken).
    double etaSeconds() const;

    // The standard line: `counts` (the caller's own words, "Reading 1,200 of 9,000 keys") + " · 3,400 keys/s" +
    // " · about 2.0 s left" (only while some time is left). `unit` is the plural counted ("keys", "requests").
    QString line(const QString& counts, const QString& unit, const QLocale& locale = QLocale()) const;

    static constexpr qint64 kWindowMs = 500;   // updates closer together than this are taken as one
    static constexpr double kSmoothing = 0.3;  // weight of the newest window

private:
    Clock m_clock;
    qint64 m_startMs = 0;
    qint64 m_total = -1;
    qint64 m_done = 0;
    qint64 m_windowMs = 0;     // where the current window began
    qint64 m_windowDone = 0;   // done when it began
    double m_rate = -1;        // smoothed; < 0 until the first window closed
};

// The standard line from a rate and a time left measured elsewhere (a worker's ProgressMeter, sent in a progress
// signal): counts + " · 3,400 keys/s" + " · about 2.0 s left" (only while some time is left).
QString progressLine(const QString& counts, double perSecond, double etaSeconds, const QString& unit,
                     const QLocale& locale = QLocale());
// "3,400 keys/s" (whole units per second).
QString formatRate(double perSecond, const QString& unit, const QLocale& locale = QLocale());
// "about 2.0 s left" (formatDuration's style); empty when seconds < 0 (unknown).
QString formatTimeLeft(double seconds, const QLocale& locale = QLocale());

} // namespace cachelens
