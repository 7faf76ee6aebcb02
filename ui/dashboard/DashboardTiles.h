#pragma once
// DashboardTiles: the big numbers above the charts for the first watched source — hit rate, operations, memory and
// keys, each against five minutes before — with what CacheLens itself costs that source's server, and the L1+L2
// demo's tiles below while a demo is sampled.
#include "connectors/SourceTypes.h"
#include "ui/OwnLoadMeter.h"
#include "ui/dashboard/Metric.h"

#include <QList>
#include <QWidget>

class QLabel;

namespace cachelens::ui {

class DemoTiles;
class SourceSeries;
class StatTile;

class DashboardTiles : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardTiles(QWidget* parent = nullptr);

    StatTile* tile(Metric metric) const;           // HitRate, OpsPerSec, Memory, Keys
    DemoTiles* demoTiles() const { return m_demo; }

    // The tiles describe `first` (nullptr: no source); a value older than maxAge seconds is not shown.
    void show(const SourceSeries* first, double maxAge);
    void addSample(const StatsSample& sample, bool first);   // own load of the first source, the demo's figures

private:
    QLabel* m_source;
    QList<StatTile*> m_tiles;
    StatTile* m_ownLoadTile;
    DemoTiles* m_demo;
    OwnLoadMeter m_ownLoad;
};

} // namespace cachelens::ui
