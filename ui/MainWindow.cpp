#include "ui/MainWindow.h"

#include "ui/invalidate/ConfirmPurgeDialog.h"

#include <cachelens/version.h>
#include "connectors/ConnectionUrl.h"
#include "ui/ConnectionDialog.h"
#include "ui/ConnectionListModel.h"
#include "ui/ConnectionService.h"
#include "ui/ConnectionSidebar.h"
#include "ui/Icons.h"
#include "ui/PreferencesDialog.h"
#include "ui/simulate/SimulatePanel.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/invalidate/InvalidatePanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QListView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace cachelens::ui {

MainWindow::MainWindow(ConnectionService* connections, QWidget* parent)
    : QMainWindow(parent),
      m_connections(connections->model()),
      m_service(connections),
      m_sidebar(new ConnectionSidebar(m_connections, this)),
      m_sidebarDock(new QDockWidget(tr("Connections"), this)),
      m_tabs(new QTabWidget(this)),
      m_statusConnection(new QLabel(this)),
      m_statusOwnLoad(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(appIcon());
    resize(1280, 800);

    m_sidebar->view()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_sidebar->view(), &QWidget::customContextMenuRequested, this, &MainWindow::showSidebarMenu);
    connect(m_sidebar->view(), &QAbstractItemView::doubleClicked, this,
            [this](const QModelIndex& index) { editConnection(index.row()); });
    connect(m_service, &ConnectionService::providerDemoChanged, this, [this](const QString&, Source* demo, bool running) {
        auto* dashboard = qobject_cast<DashboardPanel*>(panel(QStringLiteral("dashboard")));
        if (!dashboard)
            return;
        if (running) {
            dashboard->addSource(demo);   // beside the connection's own figures
            showPanel(QStringLiteral("dashboard"));
        } else {
            dashboard->removeSource(demo);
        }
    });
    connect(m_service, &ConnectionService::notice, this, [this](const QString& message) {
        statusBar()->showMessage(message, 15000);
    });
    connect(m_service, &ConnectionService::sourceReady, this, &MainWindow::onSourceReady);

    m_sidebarDock->setObjectName(QStringLiteral("connectionsDock"));
    m_sidebarDock->setWidget(m_sidebar);
    m_sidebarDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                               | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, m_sidebarDock);
    resizeDocks({m_sidebarDock}, {240}, Qt::Horizontal);

    m_tabs->setObjectName(QStringLiteral("panels"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    createPanels();
    createMenus();

    m_statusConnection->setObjectName(QStringLiteral("connectionStatus"));
    statusBar()->addWidget(m_statusConnection, 1);
    m_statusOwnLoad->setObjectName(QStringLiteral("ownLoadStatus"));
    m_statusOwnLoad->setToolTip(tr("Commands CacheLens itself sends to this server, and their round-trip time"));
    statusBar()->addPermanentWidget(m_statusOwnLoad);

    connect(m_sidebar, &ConnectionSidebar::currentRowChanged, this, &MainWindow::onConnectionChanged);
    connect(m_connections, &ConnectionListModel::dataChanged, this, &MainWindow::updateStatus);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateRefreshAction);
    onConnectionChanged(m_sidebar->currentRow());
    updateRefreshAction();
}

MainWindow::~MainWindow() = default;

QStringList MainWindow::panelIds()
{
    return {QStringLiteral("dashboard"), QStringLiteral("keys"), QStringLiteral("invalidate"), QStringLiteral("simulate")};
}

void MainWindow::createPanels()
{
    auto* keys = new KeysPanel(this);
    auto* invalidate = new InvalidatePanel(this);
    auto* simulate = new SimulatePanel(this);
    m_panels = {
        new DashboardPanel(this),
        keys,
        invalidate,
        simulate,
    };
    // "Open in Invalidate" on a namespace: its pattern goes to the Invalidate panel, which dry-runs it.
    connect(keys, &KeysPanel::openInInvalidate, this, [this, invalidate](const QString& sourceId, const QByteArray& glob) {
        showPanel(QStringLiteral("invalidate"));
        invalidate->openPattern(sourceId, glob);
    });
    for (Panel* p : m_panels)
        m_tabs->addTab(p, p->icon(), p->title());
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* connectAction = file->addAction(themedIcon("network-connect", "redis"), tr("&Connect to URL…"), this,
                                             &MainWindow::connectToUrl);
    connectAction->setObjectName(QStringLiteral("connectAction"));
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction* newConn = file->addAction(themedIcon("list-add", "redis"), tr("&New Connection…"), this,
                                       &MainWindow::newConnection);
    newConn->setObjectName(QStringLiteral("newConnectionAction"));
    newConn->setShortcut(QKeySequence::New);
    file->addSeparator();
    file->addAction(themedIcon("document-import", "redis"), tr("&Import Connections…"), this, &MainWindow::importProfiles);
    file->addAction(themedIcon("document-export", "redis"), tr("&Export Connections…"), this, &MainWindow::exportProfiles);
    file->addSeparator();
    QAction* quit = file->addAction(themedIcon("application-exit", "cachelens"), tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* prefs = edit->addAction(themedIcon("preferences-system", "cachelens"), tr("&Preferences…"), this,
                                     &MainWindow::showPreferences);
    prefs->setObjectName(QStringLiteral("preferencesAction"));
    // QKeySequence::Preferences is empty on some Linux desktops; Ctrl+, is what users there expect.
    prefs->setShortcuts(QKeySequence::keyBindings(QKeySequence::Preferences).isEmpty()
                            ? QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Comma)}
                            : QKeySequence::keyBindings(QKeySequence::Preferences));
    prefs->setMenuRole(QAction::PreferencesRole);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_refresh = view->addAction(themedIcon("view-refresh", "refresh"), tr("&Refresh"), this, [this] {
        if (Panel* p = currentPanel(); p && p->canRefresh())
            p->refresh();
    });
    m_refresh->setObjectName(QStringLiteral("refreshAction"));
    m_refresh->setShortcuts(QKeySequence::Refresh);   // F5 (and Ctrl+R where the platform adds it)
    m_fullScreen = view->addAction(themedIcon("view-fullscreen", "cachelens"), tr("&Full Screen"));
    m_fullScreen->setObjectName(QStringLiteral("fullScreenAction"));
    m_fullScreen->setCheckable(true);
    m_fullScreen->setShortcuts(QKeySequence::keyBindings(QKeySequence::FullScreen).isEmpty()
                                   ? QList<QKeySequence>{QKeySequence(Qt::Key_F11)}
                                   : QKeySequence::keyBindings(QKeySequence::FullScreen));
    connect(m_fullScreen, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? (windowState() | Qt::WindowFullScreen) : (windowState() & ~Qt::WindowFullScreen));
    });
    view->addSeparator();
    for (int i = 0; i < m_panels.size(); ++i) {
        Panel* p = m_panels.at(i);
        QAction* a = view->addAction(p->icon(), p->title(), this, [this, i] { m_tabs->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    view->addAction(m_sidebarDock->toggleViewAction());
    m_demo = view->addAction(themedIcon("media-playback-start", "local-engine"), tr("Run &Demo Workload"));
    m_demo->setObjectName(QStringLiteral("demoAction"));
    m_demo->setCheckable(true);
    m_demo->setToolTip(tr("Demo traffic on the local engine: characters, chat rooms and Discord lookups"));
    connect(m_demo, &QAction::toggled, this, [this](bool on) { m_service->setDemoRunning(on); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(appIcon(), tr("&About CacheLens"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

Panel* MainWindow::currentPanel() const
{
    return qobject_cast<Panel*>(m_tabs->currentWidget());
}

Panel* MainWindow::panel(const QString& id) const
{
    for (Panel* p : m_panels)
        if (p->panelId() == id)
            return p;
    return nullptr;
}

bool MainWindow::showPanel(const QString& id)
{
    Panel* p = panel(id.toLower());
    if (!p)
        return false;
    m_tabs->setCurrentWidget(p);
    return true;
}

int MainWindow::addConnection(const ConnectionUrl& url)
{
    const int row = m_service->openAdHoc(url);
    m_sidebar->setCurrentRow(row);
    m_service->activate(row);
    return row;
}

void MainWindow::setDemoRunning(bool on) { m_demo->setChecked(on); }

void MainWindow::onSourceReady(const QString& id, Source* source)
{
    const int row = m_sidebar->currentRow();
    if (row >= 0 && row < m_connections->rowCount() && m_connections->entry(row).id == id)
        setCurrentSource(source);
}

void MainWindow::setCurrentSource(Source* source)
{
    if (m_currentSource == source)
        return;
    m_currentSource = source;
    QObject::disconnect(m_sampleConnection);
    m_ownLoad.reset();
    m_statusOwnLoad->clear();
    // Whoever asks for samples (the dashboard polls), the status bar reads CacheLens's own load from them.
    if (source)
        m_sampleConnection = connect(source, &Source::statsSample, this, [this](const StatsSample& sample) {
            m_statusOwnLoad->setText(m_ownLoad.update(sample).text());
        });
    for (Panel* p : m_panels)
        p->setSource(source);
    updateRefreshAction();   // a panel may refresh only while it has a source
}

void MainWindow::showSidebarMenu(const QPoint& pos)
{
    const QModelIndex index = m_sidebar->view()->indexAt(pos);
    const int row = index.isValid() ? index.row() : -1;
    QMenu menu(this);
    menu.addAction(tr("&New Connection…"), this, &MainWindow::newConnection);
    if (row > 0) {
        const ConnectionEntry& e = m_connections->entry(row);
        menu.addAction(e.saved ? tr("&Edit…") : tr("&Save as Connection…"), this, [this, row] { editConnection(row); });
        if (e.saved)
            menu.addAction(tr("&Duplicate"), this, [this, row] { duplicateConnection(row); });
        menu.addAction(e.saved ? tr("&Remove…") : tr("&Close"), this, [this, row] { removeConnection(row); });
        menu.addSeparator();
        addProviderDemoAction(menu, row);
    }
    menu.addSeparator();
    menu.addAction(tr("&Import Connections…"), this, &MainWindow::importProfiles);
    menu.addAction(tr("E&xport Connections…"), this, &MainWindow::exportProfiles);
    menu.exec(m_sidebar->view()->viewport()->mapToGlobal(pos));
}

void MainWindow::addProviderDemoAction(QMenu& menu, int row)
{
    const ConnectionEntry& e = m_connections->entry(row);
    const QString id = e.id;
    if (m_service->providerDemoRunning(id)) {
        QAction* stop = menu.addAction(tr("Stop L1+L2 &demo"), this, [this, id] { m_service->stopProviderDemo(id); });
        stop->setObjectName(QStringLiteral("stopProviderDemoAction"));
        return;
    }
    QAction* start = menu.addAction(tr("Start L1+L2 &demo"), this, [this, row] { startProviderDemo(row); });
    start->setObjectName(QStringLiteral("startProviderDemoAction"));
    start->setToolTip(tr("Two in-process engine instances (L1 in front of this Redis, with the invalidation bus) run "
                         "demo traffic under cachelens:demo:…; their keys are removed when the demo stops"));
    if (e.readOnly) {
        start->setEnabled(false);
        start->setText(tr("Start L1+L2 demo (read-only connection: the demo writes keys)"));
    }
}

void MainWindow::startProviderDemo(int row)
{
    if (row <= 0 || row >= m_connections->rowCount())
        return;
    const ConnectionEntry& e = m_connections->entry(row);
    if (!e.production) {
        m_service->startProviderDemo(row);
        return;
    }
    auto* dialog = new ConfirmPurgeDialog(tr("The demo writes and deletes keys under its own prefix (cachelens:demo:…) "
                                             "on %1, at a few hundred operations per second, until you stop it. Start it?")
                                              .arg(e.name.toHtmlEscaped()),
                                          e.name, true, this);
    dialog->setObjectName(QStringLiteral("confirmProviderDemo"));
    dialog->setAction(tr("Start L1+L2 demo"), tr("Start"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString id = e.id;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        if (const int at = m_connections->rowOf(id); at > 0)
            m_service->startProviderDemo(at, dialog->confirmation());
    });
    dialog->open();
}

void MainWindow::newConnection()
{
    ConnectionDialog dialog(std::nullopt, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!m_service->saveProfile(dialog.profile(), dialog.password(), &error, dialog.sentinelPassword())) {
        QMessageBox::warning(this, tr("New Connection"), tr("The connection was not saved: %1").arg(error));
        return;
    }
    m_sidebar->setCurrentRow(m_connections->rowOf(dialog.profile().id));
}

void MainWindow::editConnection(int row)
{
    if (row <= 0 || row >= m_connections->rowCount())
        return;
    const ConnectionEntry e = m_connections->entry(row);
    std::optional<ConnectionProfile> existing = m_service->profile(e.id);
    if (!existing) {   // ad hoc: offer to save it as a profile
        ConnectionProfile draft;
        draft.id = ConnectionProfile::newId();
        draft.name = e.name;
        draft.url = e.url;
        existing = draft;
    }
    ConnectionDialog dialog(existing, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!m_service->saveProfile(dialog.profile(), dialog.password(), &error, dialog.sentinelPassword()))
        QMessageBox::warning(this, tr("Connection"), tr("The connection was not saved: %1").arg(error));
}

void MainWindow::duplicateConnection(int row)
{
    if (row <= 0 || row >= m_connections->rowCount())
        return;
    if (const auto copy = m_service->duplicateProfile(m_connections->entry(row).id))
        m_sidebar->setCurrentRow(m_connections->rowOf(copy->id));
}

void MainWindow::removeConnection(int row)
{
    if (row <= 0 || row >= m_connections->rowCount())
        return;
    const ConnectionEntry e = m_connections->entry(row);
    if (e.saved
        && QMessageBox::question(this, tr("Remove Connection"),
                                 tr("Remove the saved connection “%1” and its stored password? Nothing on the server "
                                    "is touched.").arg(e.name))
               != QMessageBox::Yes)
        return;
    if (m_sidebar->currentRow() == row)
        m_sidebar->setCurrentRow(0);
    m_service->removeProfile(e.id);
}

void MainWindow::importProfiles()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Import Connections"), QString(),
                                                      tr("CacheLens connections (*.json)"));
    if (file.isEmpty())
        return;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Import Connections"), tr("Cannot read %1: %2").arg(file, f.errorString()));
        return;
    }
    const auto report = m_service->importProfiles(f.readAll());
    statusBar()->showMessage(report.summary(), 15000);
    if (!report.errors.isEmpty())
        QMessageBox::warning(this, tr("Import Connections"), report.summary());
}

void MainWindow::exportProfiles()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Connections"),
                                                      QStringLiteral("cachelens-connections.json"),
                                                      tr("CacheLens connections (*.json)"));
    if (file.isEmpty())
        return;
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(m_service->exportProfiles()) < 0) {
        QMessageBox::warning(this, tr("Export Connections"), tr("Cannot write %1: %2").arg(file, f.errorString()));
        return;
    }
    statusBar()->showMessage(tr("Exported the saved connections to %1 (passwords are not exported)").arg(file), 15000);
}

QString MainWindow::statusText() const { return m_statusConnection->text(); }

QString MainWindow::ownLoadText() const { return m_statusOwnLoad->text(); }

void MainWindow::onConnectionChanged(int row)
{
    if (row >= 0 && row < m_connections->rowCount()) {
        const ConnectionEntry& e = m_connections->entry(row);
        setWindowTitle(tr("%1 — CacheLens").arg(e.name));
        for (Panel* p : m_panels)
            p->setConnection(e);
        m_service->activate(row);
        setCurrentSource(m_service->source(e.id));
    }
    updateStatus();
}

void MainWindow::updateStatus()
{
    const int row = m_sidebar->currentRow();
    if (row < 0 || row >= m_connections->rowCount()) {
        m_statusConnection->setText(tr("No connection selected"));
        return;
    }
    const ConnectionEntry& e = m_connections->entry(row);
    QString text = tr("%1: %2").arg(e.local ? e.name : e.url.toString(), ConnectionListModel::stateText(e));
    if (e.production)
        text += tr(" · PRODUCTION");
    m_statusConnection->setText(text);
}

void MainWindow::updateRefreshAction()
{
    const Panel* p = currentPanel();
    m_refresh->setEnabled(p && p->canRefresh());
}

void MainWindow::connectToUrl()
{
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Connect"), tr("Redis URL (redis://, rediss://, unix://, "
                                                                       "redis-sentinel://):"),
                                               QLineEdit::Normal, QStringLiteral("redis://127.0.0.1:6379"), &ok);
    if (!ok || text.trimmed().isEmpty())
        return;
    const auto parsed = ConnectionUrl::parse(text);
    if (!parsed.ok()) {
        QMessageBox::warning(this, tr("Connect"), tr("This URL cannot be used: %1").arg(parsed.error));
        return;
    }
    addConnection(*parsed.url);
}

void MainWindow::showPreferences()
{
    PreferencesDialog dialog(Preferences::load(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Preferences prefs = dialog.preferences();
    prefs.save();
    applyTheme(*qApp, prefs.theme);
    if (auto* dashboard = qobject_cast<DashboardPanel*>(panel(QStringLiteral("dashboard"))))
        dashboard->setHistoryRetentionDays(prefs.historyRetentionDays);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About CacheLens"),
                       tr("<h3>CacheLens %1</h3><p>Watch hit rates live during a deploy, browse keys by namespace, "
                          "purge by pattern or tag without fear, and simulate what a cache would buy before you "
                          "build it.</p><p>Built with Qt %2.</p>")
                           .arg(QLatin1String(kVersion), QLatin1String(qVersion())));
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (const Panel* p = currentPanel())
        settings.setValue(QStringLiteral("window/panel"), p->panelId());
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    showPanel(settings.value(QStringLiteral("window/panel")).toString());
    m_fullScreen->setChecked(windowState() & Qt::WindowFullScreen);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    event->accept();
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::WindowStateChange && m_fullScreen)
        m_fullScreen->setChecked(windowState() & Qt::WindowFullScreen);
    QMainWindow::changeEvent(event);
}

} // namespace cachelens::ui
