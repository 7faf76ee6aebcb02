#pragma once
// ValuePageModel: a collection value (list, hash, set, sorted set, stream) as a table that grows page by page.
// The model never asks a Source itself: canFetchMore/fetchMore emit pageWanted(cursor), the viewer requests the page
// and hands it back through appendPage. So a hash of ten million fields shows its first page at once and the next
// ones as the user scrolls, never all of them.
#include "connectors/SourceTypes.h"

#include <QAbstractTableModel>

namespace cachelens::ui {

class ValuePageModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role { ExactNameRole = Qt::UserRole + 1, ExactValueRole };
    explicit ValuePageModel(QObject* parent = nullptr);

    void reset(KeyType type);                 // empty, for a new key of this type
    void appendPage(const ValuePage& page);   // rows appended; nextCursor kept for the next fetch
    KeyType type() const { return m_type; }
    qint64 total() const { return m_total; }
    bool isComplete() const { return m_complete; }
    QByteArray nextCursor() const { return m_next; }
    const ValueItem& item(int row) const { return m_items.at(row); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    static QString displayBytes(const QByteArray& bytes, int maxChars = 2000);   // UTF-8 as is, else escaped

Q_SIGNALS:
    void pageWanted(const QByteArray& cursor);

private:
    KeyType m_type = KeyType::Unknown;
    QVector<ValueItem> m_items;
    QByteArray m_next;
    qint64 m_total = -1;
    bool m_complete = true;
    bool m_waiting = false;   // a page was asked for and has not arrived
};

} // namespace cachelens::ui
