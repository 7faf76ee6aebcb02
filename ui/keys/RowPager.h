#pragma once
// RowPager: brings the next page of a big node's rows into the Keys tree when the view comes to its last shown row
// (KeyTreeModel shows a node's rows kPageRows at a time). Whenever the view may have come there — scrolled, rows
// added or removed, re-sorted, a node expanded — it checks once on the next turn of the event loop, and says that
// the rows on screen may have changed (DetailFetcher asks for their details).
#include <QObject>

class QTimer;
class QTreeView;

namespace cachelens::ui {

class KeyTreeModel;

class RowPager : public QObject
{
    Q_OBJECT
public:
    RowPager(KeyTreeModel* model, QTreeView* view, QObject* parent = nullptr);

Q_SIGNALS:
    void rowsOnScreenMayHaveChanged();

private:
    void showMoreRowsInView();

    KeyTreeModel* m_model;
    QTreeView* m_view;
    QTimer* m_check;
};

} // namespace cachelens::ui
