#pragma once
// StallMeter: the longest time the GUI event loop went without serving a timer, in ms. A precise timer ticks every
// kTickMs; a tick that comes late by d ms means the loop was busy (a stall) for about d ms. Cheap enough to run
// during a whole 1M-key load (`cachelens --report-stalls`, `cachelens-bench keys`).
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

private:
    void tick();
    QTimer* m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    double m_maxStallMs = 0;
};

} // namespace cachelens::ui
