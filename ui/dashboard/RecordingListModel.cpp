#include "ui/dashboard/RecordingListModel.h"

#include "connectors/support/Units.h"

#include <QLocale>

namespace cachelens::ui {

void RecordingListModel::setRecordings(const QVector<HistoryStore::Recording>& recordings)
{
    beginResetModel();
    m_recordings = recordings;
    endResetModel();
}

int RecordingListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_recordings.size());
}

int RecordingListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordingListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryStore::Recording& r = m_recordings.at(index.row());
    const qint64 length = r.first.secsTo(r.last);
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Length ? int(Qt::AlignRight | Qt::AlignVCenter) : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Connection)
        return r.sourceId;
    if (role == Qt::UserRole) {   // the value behind the text, for sorting and tests
        switch (index.column()) {
        case Connection: return r.name;
        case Started: return r.first;
        case Ended: return r.last;
        case Length: return length;
        case Samples: return r.samples;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Connection: return r.name;
    case Started: return locale.toString(r.first.toLocalTime(), QLocale::ShortFormat);
    case Ended:
        // The same day: the time is enough.
        return r.first.toLocalTime().date() == r.last.toLocalTime().date()
                   ? locale.toString(r.last.toLocalTime().time(), QLocale::ShortFormat)
                   : locale.toString(r.last.toLocalTime(), QLocale::ShortFormat);
    case Length: return formatDuration(double(length));
    case Samples: return locale.toString(r.samples);
    }
    return {};
}

QVariant RecordingListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Connection: return tr("Connection");
    case Started: return tr("Started");
    case Ended: return tr("Ended");
    case Length: return tr("Length");
    case Samples: return tr("Samples");
    }
    return {};
}

} // namespace cachelens::ui
