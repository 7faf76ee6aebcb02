#include "ui/dashboard/DashboardTiles.h"

#include "ui/dashboard/DemoTiles.h"
#include "ui/dashboard/SourceSeries.h"
#include "ui/dashboard/StatTile.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>

namespace cachelens::ui {

namespace {
constexpr double kTileChangeSeconds = 300;   // tiles compare with 5 minutes ago
}

DashboardTiles::DashboardTiles(QWidget* parent)
    : QWidget(parent), m_source(new QLabel(this)), m_ownLoadTile(new StatTile(tr("CacheLens's own load"), this)),
      m_demo(new DemoTiles(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* tiles = new QHBoxLayout;
    m_source->setObjectName(QStringLiteral("tilesSource"));
    tiles->addWidget(m_source);
    for (const QString& caption : {tr("Hit rate"), tr("Operations"), tr("Memory"), tr("Keys")}) {
        auto* tile = new StatTile(caption, this);
        m_tiles.append(tile);
        tiles->addWidget(tile, 1);
    }
    m_ownLoadTile->setObjectName(QStringLiteral("ownLoadTile"));
    m_ownLoadTile->setToolTip(tr("Commands CacheLens itself sends to this server, and their round-trip time"));
    m_ownLoadTile->setValue(QStringLiteral("—"), QString(), QString());
    m_ownLoadTile->hide();
    tiles->addWidget(m_ownLoadTile, 1);
    layout->addLayout(tiles);
    layout->addWidget(m_demo);
}

StatTile* DashboardTiles::tile(Metric metric) const
{
    switch (metric) {
    case Metric::HitRate: return m_tiles.at(0);
    case Metric::OpsPerSec: return m_tiles.at(1);
    case Metric::Memory: return m_tiles.at(2);
    case Metric::Keys: return m_tiles.at(3);
    default: return nullptr;
    }
}

void DashboardTiles::addSample(const StatsSample& sample, bool first)
{
    if (first) {
        const OwnLoadMeter::Reading own = m_ownLoad.update(sample);
        m_ownLoadTile->setVisible(own.valid);
        if (own.valid)
            m_ownLoadTile->setValue(own.rate, own.latency, QString());
    }
    m_demo->add(sample);   // only an L1+L2 demo's samples carry its figures
}

void DashboardTiles::show(const SourceSeries* first, double maxAge)
{
    const QLocale locale;
    if (!first) {
        m_source->clear();
        m_ownLoad.reset();
        m_ownLoadTile->hide();
        for (StatTile* t : std::as_const(m_tiles))
            t->setValue(QStringLiteral("—"), QString(), QString());
        return;
    }
    m_source->setText(first->name());
    const double last = first->lastKey();
    for (Metric m : {Metric::HitRate, Metric::OpsPerSec, Metric::Memory, Metric::Keys}) {
        const double now = std::isnan(last) ? kNaN : first->valueAt(m, last, maxAge);
        const double before = std::isnan(last) ? kNaN : first->valueAt(m, last - kTileChangeSeconds, maxAge);
        tile(m)->setValue(formatValue(now, metricUnit(m), locale), formatChange(now, before, metricUnit(m), locale),
                          tr("vs 5 min ago"));
    }
}

} // namespace cachelens::ui
