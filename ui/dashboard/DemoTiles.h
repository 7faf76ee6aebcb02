#pragma once
// The L1+L2 demo's tiles on the Dashboard: L1 hit rate, L2 (Redis) hit rate and invalidation-bus messages/s of the
// running demo (ProviderDemoSource), from the deltas of its last two samples. Hidden while no demo sample arrives.
#include <QWidget>

#include "connectors/SourceTypes.h"

#include <optional>

namespace cachelens::ui {

class StatTile;

class DemoTiles : public QWidget
{
    Q_OBJECT
public:
    explicit DemoTiles(QWidget* parent = nullptr);

    void add(const cachelens::StatsSample& sample);   // a sample whose l1Hits < 0 is ignored
    void reset();                                      // the demo's source went: hide and forget
    // The last interval's figures (NaN until two samples arrived): percent, percent, messages per second.
    double l1HitRate() const { return m_l1; }
    double l2HitRate() const { return m_l2; }
    double busPerSecond() const { return m_bus; }
    StatTile* l1Tile() const { return m_l1Tile; }
    StatTile* l2Tile() const { return m_l2Tile; }
    StatTile* busTile() const { return m_busTile; }

private:
    std::optional<StatsSample> m_last;
    double m_l1, m_l2, m_bus;
    StatTile* m_l1Tile;
    StatTile* m_l2Tile;
    StatTile* m_busTile;
};

} // namespace cachelens::ui
