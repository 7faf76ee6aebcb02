#include "ui/simulate/SimResultsModel.h"

#include <QLocale>

namespace cachelens::ui {

void SimResultsModel::reset(const QStringList& configs)
{
    beginResetModel();
    m_rows.clear();
    for (const QString& c : configs) {
        Row row;   // member by member: GCC 12 -O2 warns (falsely) about a braced SimResults temporary
        row.config = c;
        row.state = tr("waiting");
        m_rows.append(std::move(row));
    }
    endResetModel();
}

void SimResultsModel::update(int row, const engine::sim::SimResults& results, bool final)
{
    if (row < 0 || row >= m_rows.size()) return;
    m_rows[row].results = results;
    m_rows[row].state = !final ? tr("running") : results.cancelled ? tr("cancelled") : tr("done");
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void SimResultsModel::setFailed(int row, const QString& error)
{
    if (row < 0 || row >= m_rows.size()) return;
    m_rows[row].state = tr("failed: %1").arg(error);
    emit dataChanged(index(row, State), index(row, State));
}

int SimResultsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int SimResultsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SimResultsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const Row& r = m_rows.at(index.row());
    const auto& s = r.results;
    const QLocale locale;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Config || index.column() == State ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == State) return r.state;
    if (role != Qt::DisplayRole) return {};
    auto us = [&](double v) { return locale.toString(v, 'f', v < 10 ? 2 : 0); };
    switch (index.column()) {
    case Config: return r.config;
    case Requests: return locale.toString(qulonglong(s.requests));
    case HitRate: return locale.toString(100 * s.hitRate, 'f', 2) + QLatin1Char('%');
    case DbReads: return locale.toString(qulonglong(s.backingQueries));
    case DbReduction: return locale.toString(100 * s.dbLoadReduction, 'f', 1) + QLatin1Char('%');
    case P50: return us(s.latency.p50);
    case P95: return us(s.latency.p95);
    case P99: return us(s.latency.p99);
    case Stale: return locale.toString(qulonglong(s.staleReads));
    case Stampedes: return locale.toString(qulonglong(s.stampedes));
    case Evictions: return locale.toString(qulonglong(s.evictions));
    case Expirations: return locale.toString(qulonglong(s.expirations));
    case State: return r.state;
    }
    return {};
}

QVariant SimResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Config: return tr("Configuration");
    case Requests: return tr("Requests");
    case HitRate: return tr("Hit rate");
    case DbReads: return tr("DB reads");
    case DbReduction: return tr("DB load avoided");
    case P50: return tr("p50 µs");
    case P95: return tr("p95 µs");
    case P99: return tr("p99 µs");
    case Stale: return tr("Stale reads");
    case Stampedes: return tr("Stampedes");
    case Evictions: return tr("Evictions");
    case Expirations: return tr("Expirations");
    case State: return tr("State");
    }
    return {};
}

} // namespace cachelens::ui
