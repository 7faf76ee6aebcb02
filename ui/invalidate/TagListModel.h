#pragma once
// The tags of a source with their member counts (Source::listTags), one row each, checkable so that several can be
// invalidated at once. Replaced whole on every listing (a few thousand tags at most), mutated on the GUI thread only.
#include "connectors/SourceTypes.h"

#include <QAbstractTableModel>
#include <QSet>

namespace cachelens::ui {

class TagListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Members, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setTags(const QVector<TagInfo>& tags);   // keeps the check marks of tags still listed
    const QVector<TagInfo>& tags() const { return m_tags; }
    QList<QByteArray> checkedTags() const;        // in row order
    qint64 checkedMembers() const;                // sum of their member counts
    void setChecked(int row, bool checked);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

Q_SIGNALS:
    void checkedChanged();

private:
    QVector<TagInfo> m_tags;
    QSet<QByteArray> m_checked;
};

} // namespace cachelens::ui
