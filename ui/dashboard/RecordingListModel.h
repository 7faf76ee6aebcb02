#pragma once
// The sessions view's table: earlier recordings from history.db, newest first — connection, start, end, length,
// samples. A recording is a run of one connection's samples without a silence over five minutes.
#include "connectors/history/HistoryStore.h"

#include <QAbstractTableModel>

namespace cachelens::ui {

class RecordingListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Connection, Started, Ended, Length, Samples, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRecordings(const QVector<HistoryStore::Recording>& recordings);
    const QVector<HistoryStore::Recording>& recordings() const { return m_recordings; }
    HistoryStore::Recording recording(int row) const { return m_recordings.value(row); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<HistoryStore::Recording> m_recordings;
};

} // namespace cachelens::ui
