#pragma once
// StallMeter: the longest time the GUI event loop went without serving a timer, in ms. A precise timer ticks every
// kTickMs; a tick that comes late by d ms means the loop was busy (a stall) for about d ms. Cheap enough to run
// during a whole 1M-key load (`cachelens --report-stalls`, `cachelens-bench keys`).
// Wall-clock stalls include the time the thread waited for a CPU, which on a loaded machine is most of them; the
// thread's own CPU time between two ticks (maxStallCpuMs) is the work the loop did in one go, whatever the load.
#include <QElapsedTimer>
#include <QObject>

class QTimer;

namespace cachelens::ui {

class StallMeter : public QObject
{
    Q_OBJECT
public:
    static constexpr int kTickMs = 5;
    explicit StallMeter(QObject* parent = nullptr);
    void start();
    void stop();
    double maxStallMs() const { return m_maxStallMs; }
    double maxStallCpuMs() const { return m_maxStallCpuMs; }
    bool isRunning() const;

private:
    void tick();
    QTimer* m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    double m_maxStallMs = 0;
    double m_maxStallCpuMs = 0;
};

} // namespace cachelens::ui
