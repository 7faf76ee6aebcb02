#pragma once
// Sidebar listing the connections; production connections carry a red band on their left edge.
#include <QWidget>

class QListView;

namespace cachelens::ui {

class ConnectionListModel;

class ConnectionSidebar : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionSidebar(ConnectionListModel* model, QWidget* parent = nullptr);

    int currentRow() const;
    void setCurrentRow(int row);
    QListView* view() const { return m_view; }

Q_SIGNALS:
    void currentRowChanged(int row);

private:
    ConnectionListModel* m_model;
    QListView* m_view;
};

} // namespace cachelens::ui
