#pragma once
// One row per simulated configuration (live while it runs, final when it ends): the Simulate panel's results table.
#include <cachelens/sim/simulator.h>

#include <QAbstractTableModel>
#include <QStringList>

namespace cachelens::ui {

class SimResultsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Config, Requests, HitRate, DbReads, DbReduction, P50, P95, P99, Stale, Stampedes, Evictions, Expirations, State, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    // Replaces every row with these configurations, all "waiting".
    void reset(const QStringList& configs);
    void update(int row, const engine::sim::SimResults& results, bool final);
    void setFailed(int row, const QString& error);
    const engine::sim::SimResults& results(int row) const { return m_rows.at(row).results; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString config;
        engine::sim::SimResults results;
        QString state;
    };
    QList<Row> m_rows;
};

} // namespace cachelens::ui
