#pragma once
// The main window only hosts: the connections sidebar (a dock), the panels (tabs), menus and the status bar.
// Behaviour lives in the panels and their models.
#include <QMainWindow>
#include <QVector>

class QLabel;
class QTabWidget;
class QDockWidget;
class QAction;

namespace cachelens {
struct ConnectionUrl;
}

namespace cachelens::ui {

class ConnectionListModel;
class ConnectionSidebar;
class Panel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    static QStringList panelIds();                 // dashboard, keys, invalidate, simulate

    ConnectionListModel* connections() const { return m_connections; }
    Panel* currentPanel() const;
    Panel* panel(const QString& id) const;
    bool showPanel(const QString& id);            // false for an unknown id
    int addConnection(const ConnectionUrl& url);  // adds (or finds) the row and selects it

    QAction* refreshAction() const { return m_refresh; }
    QAction* fullScreenAction() const { return m_fullScreen; }
    QString statusText() const;                   // the connection state shown in the status bar

    void saveLayout() const;                      // QSettings: geometry, dock state, current panel
    void restoreLayout();

public Q_SLOTS:
    void showPreferences();
    void showAbout();
    void connectToUrl();                          // File ▸ Connect… (asks for a URL)

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createPanels();
    void createMenus();
    void onConnectionChanged(int row);
    void updateStatus();
    void updateRefreshAction();

    ConnectionListModel* m_connections;
    ConnectionSidebar* m_sidebar;
    QDockWidget* m_sidebarDock;
    QTabWidget* m_tabs;
    QVector<Panel*> m_panels;
    QLabel* m_statusConnection;
    QAction* m_refresh = nullptr;
    QAction* m_fullScreen = nullptr;
};

} // namespace cachelens::ui
