#pragma once
// The markers on the dashboard's timeline (deploys, restarts, flushes, alerts), newest first.
#include "connectors/history/HistoryTypes.h"

#include <QAbstractListModel>

namespace cachelens::ui {

class MarkerListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role { MarkerRole = Qt::UserRole + 1 };
    using QAbstractListModel::QAbstractListModel;

    void add(const HistoryMarker& marker);           // keeps newest-first order
    void clear();
    HistoryMarker marker(int row) const { return m_markers.at(row); }
    const QList<HistoryMarker>& markers() const { return m_markers; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    QList<HistoryMarker> m_markers;
};

} // namespace cachelens::ui
