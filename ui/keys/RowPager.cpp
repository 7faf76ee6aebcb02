#include "ui/keys/RowPager.h"

#include "ui/keys/KeyTreeModel.h"

#include <QPersistentModelIndex>
#include <QScrollBar>
#include <QTimer>
#include <QTreeView>

namespace cachelens::ui {

RowPager::RowPager(KeyTreeModel* model, QTreeView* view, QObject* parent)
    : QObject(parent), m_model(model), m_view(view), m_check(new QTimer(this))
{
    m_check->setSingleShot(true);
    m_check->setInterval(0);
    connect(m_check, &QTimer::timeout, this, &RowPager::showMoreRowsInView);
    const auto check = [this] {
        m_check->start();
        Q_EMIT rowsOnScreenMayHaveChanged();
    };
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, check);
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, check);
    connect(m_view, &QTreeView::expanded, this, check);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, check);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, check);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, check);
    connect(m_model, &QAbstractItemModel::modelReset, this, check);
}

void RowPager::showMoreRowsInView()
{
    // A node whose last shown row is in view and that holds more rows shows its next page.
    QList<QPersistentModelIndex> parents;   // namespaces (persistent: showing rows of one may move another)
    bool root = false;
    const int bottom = m_view->viewport()->height();
    QModelIndex row = m_view->indexAt(QPoint(0, 0));
    for (int n = 0; row.isValid() && n < 1000 && m_view->visualRect(row).top() < bottom; ++n, row = m_view->indexBelow(row)) {
        const QModelIndex parent = row.parent();
        if (row.row() != m_model->rowCount(parent) - 1 || m_model->hiddenRowCount(parent) == 0)
            continue;
        if (parent.isValid())
            parents.append(parent);
        else
            root = true;
    }
    for (const QPersistentModelIndex& parent : parents)
        if (parent.isValid())
            m_model->showMoreRows(parent);
    if (root)
        m_model->showMoreRows();
}

} // namespace cachelens::ui
