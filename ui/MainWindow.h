#pragma once
// The main window only hosts: the connections sidebar (a dock), the panels (tabs), menus and the status bar.
// Behaviour lives in the panels and their models; connections and their sources come from the application, through
// ConnectionService (app/cachelens makes the sources, the window only shows them).
#include "connectors/Source.h"
#include "ui/OwnLoadMeter.h"

#include <QMainWindow>
#include <QVector>

class QLabel;
class QTabWidget;
class QDockWidget;
class QAction;

class QMenu;

namespace cachelens {
struct ConnectionUrl;
}

namespace cachelens::ui {

class ConnectionListModel;
class ConnectionService;
class ConnectionSidebar;
class Panel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `connections` (not owned) must outlive the window.
    explicit MainWindow(ConnectionService* connections, QWidget* parent = nullptr);
    ~MainWindow() override;

    static QStringList panelIds();                 // dashboard, keys, invalidate, simulate

    ConnectionListModel* connections() const { return m_connections; }
    ConnectionService* connectionService() const { return m_service; }
    Source* currentSource() const { return m_currentSource; }
    Panel* currentPanel() const;
    Panel* panel(const QString& id) const;
    bool showPanel(const QString& id);            // false for an unknown id
    int addConnection(const ConnectionUrl& url);  // adds (or finds) the row and selects it

    QAction* refreshAction() const { return m_refresh; }
    QAction* fullScreenAction() const { return m_fullScreen; }
    QString statusText() const;                   // the connection state shown in the status bar
    QString ownLoadText() const;                  // "CacheLens: 12 cmd/s, 0.4 ms p99" for a Redis connection

    void setDemoRunning(bool on);                 // demo traffic on the local engine
    QAction* demoAction() const { return m_demo; }

    void saveLayout() const;                      // QSettings: geometry, dock state, current panel
    void restoreLayout();

public Q_SLOTS:
    void showPreferences();
    void showAbout();
    void connectToUrl();                          // File ▸ Connect… (asks for a URL)
    void newConnection();                         // the connection dialog, for a new profile
    void editConnection(int row);                 // saved: edit; ad hoc: save as a profile
    void duplicateConnection(int row);
    void startProviderDemo(int row);              // the L1+L2 demo on a Redis connection (asks on production)
    void removeConnection(int row);               // asks first
    void importProfiles();
    void exportProfiles();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void addProviderDemoAction(QMenu& menu, int row);
    void createPanels();
    void createMenus();
    void showSidebarMenu(const QPoint& pos);
    void onSourceReady(const QString& id, cachelens::Source* source);
    void setCurrentSource(cachelens::Source* source);
    void onConnectionChanged(int row);
    void updateStatus();
    void updateRefreshAction();

    ConnectionListModel* m_connections;
    ConnectionService* m_service;
    Source* m_currentSource = nullptr;
    ConnectionSidebar* m_sidebar;
    QDockWidget* m_sidebarDock;
    QTabWidget* m_tabs;
    QVector<Panel*> m_panels;
    QLabel* m_statusConnection;
    QLabel* m_statusOwnLoad;
    OwnLoadMeter m_ownLoad;
    QMetaObject::Connection m_sampleConnection;
    QAction* m_refresh = nullptr;
    QAction* m_fullScreen = nullptr;
    QAction* m_demo = nullptr;
};

} // namespace cachelens::ui
