#include "ui/ConnectionSidebar.h"

#include "ui/ConnectionListModel.h"

#include <QItemSelectionModel>
#include <QListView>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

namespace cachelens::ui {
namespace {

class ConnectionDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(painter, option, index);
        if (index.data(ConnectionListModel::IsProductionRole).toBool()) {
            // A band, not only a colour of text: it must be seen at a glance, selected or not, in both palettes.
            painter->fillRect(QRect(option.rect.left(), option.rect.top(), 4, option.rect.height()), QColor(0xcf, 0x22, 0x2e));
        }
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(qMax(size.height(), option.fontMetrics.height() * 2));
        return size;
    }
};

} // namespace

ConnectionSidebar::ConnectionSidebar(ConnectionListModel* model, QWidget* parent)
    : QWidget(parent), m_model(model), m_view(new QListView(this))
{
    setObjectName(QStringLiteral("connectionSidebar"));
    m_view->setObjectName(QStringLiteral("connectionList"));
    m_view->setModel(model);
    m_view->setItemDelegate(new ConnectionDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setUniformItemSizes(true);
    m_view->setIconSize(QSize(16, 16));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { Q_EMIT currentRowChanged(current.isValid() ? current.row() : -1); });
    setCurrentRow(0);
}

int ConnectionSidebar::currentRow() const { return m_view->currentIndex().isValid() ? m_view->currentIndex().row() : -1; }

void ConnectionSidebar::setCurrentRow(int row)
{
    const QModelIndex idx = m_model->index(row);
    if (idx.isValid())
        m_view->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect);
}

} // namespace cachelens::ui
