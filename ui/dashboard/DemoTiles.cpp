#include "ui/dashboard/DemoTiles.h"

#include "ui/dashboard/StatTile.h"

#include <QHBoxLayout>
#include <QLocale>

#include <cmath>
#include <limits>

namespace cachelens::ui {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double rate(std::int64_t hits, std::int64_t misses)
{
    return hits + misses > 0 ? 100.0 * double(hits) / double(hits + misses) : kNaN;
}
} // namespace

DemoTiles::DemoTiles(QWidget* parent)
    : QWidget(parent), m_l1(kNaN), m_l2(kNaN), m_bus(kNaN), m_l1Tile(new StatTile(tr("L1 hit rate (demo)"), this)),
      m_l2Tile(new StatTile(tr("L2 hit rate (demo)"), this)), m_busTile(new StatTile(tr("bus messages/s (demo)"), this))
{
    setObjectName(QStringLiteral("demoTiles"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (StatTile* t : {m_l1Tile, m_l2Tile, m_busTile}) layout->addWidget(t);
    layout->addStretch();
    hide();
}

void DemoTiles::reset()
{
    m_last.reset();
    m_l1 = m_l2 = m_bus = kNaN;
    hide();
}

void DemoTiles::add(const StatsSample& s)
{
    if (s.l1Hits < 0) return;
    show();
    if (m_last && s.time > m_last->time && s.l1Hits >= m_last->l1Hits) {
        const double seconds = double(m_last->time.msecsTo(s.time)) / 1000.0;
        m_l1 = rate(s.l1Hits - m_last->l1Hits, s.l1Misses - m_last->l1Misses);
        m_l2 = rate(s.l2Hits - m_last->l2Hits, s.l2Misses - m_last->l2Misses);
        m_bus = double(s.busMessages - m_last->busMessages) / seconds;
        const QLocale locale;
        auto pct = [&](double v) { return std::isnan(v) ? tr("–") : tr("%1 %").arg(locale.toString(v, 'f', 1)); };
        m_l1Tile->setValue(pct(m_l1), tr("in front of Redis; a hit costs no network"), {});
        m_l2Tile->setValue(pct(m_l2), tr("Redis, for L1 misses"), {});
        m_busTile->setValue(tr("%1/s").arg(locale.toString(m_bus, 'f', 1)), tr("invalidations between the instances"), {});
    }
    m_last = s;
}

} // namespace cachelens::ui
