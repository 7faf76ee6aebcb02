#pragma once
// The Invalidate panel's "Snapshots…": the purge snapshots on disk (newest first), with Restore — into the current
// connection, confirmed (typed name on production), disabled with the reason on read-only connections and on the
// local engine — with progress, Cancel and a closing sentence ("restored 497 of 500 keys, skipped 3 re-created
// meanwhile"), and Delete (the file, after asking). The directory is read and files removed by a loader on its own
// thread; the restore itself runs in the Source on its thread. The GUI never waits on disk or network.
#include "connectors/SourceTypes.h"
#include "connectors/guard/ChangeGuard.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/support/Worker.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class ConfirmPurgeDialog;
class SnapshotListModel;

class SnapshotLoader : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void list(quint64 requestId, const QString& directory);
    void remove(quint64 requestId, const QString& path);
Q_SIGNALS:
    void listed(quint64 requestId, const QVector<cachelens::SnapshotInfo>& snapshots);
    void removed(quint64 requestId, const QString& path, const QString& error);
};

class SnapshotsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SnapshotsDialog(QWidget* parent = nullptr);
    ~SnapshotsDialog() override;

    void setDirectory(const QString& directory);   // default SnapshotFile::defaultDirectory()
    QString directory() const { return m_directory; }
    void setSource(Source* source, bool local);
    void setConnection(const QString& name, bool production, bool readOnly, bool connected);

    SnapshotListModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QPushButton* restoreButton() const { return m_restore; }
    QPushButton* deleteButton() const { return m_delete; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* refreshButton() const { return m_refresh; }
    QLabel* reasonLabel() const { return m_reason; }
    QLabel* progressLabel() const { return m_progressText; }
    QLabel* resultLabel() const { return m_result; }
    QProgressBar* progressBar() const { return m_progress; }
    ConfirmPurgeDialog* pendingConfirmation() const { return m_confirm.data(); }
    void selectPath(const QString& path);          // selects that snapshot's row once it is listed

public Q_SLOTS:
    void reload();
    void askToRestore();
    void askToDelete();
    void cancelRestore();

Q_SIGNALS:
    void restored();                               // a restore ended (the audit log has a new row)

private:
    void updateActions();
    void startRestore(const QString& path, const cachelens::Confirmation& confirmation);
    void onListed(quint64 requestId, const QVector<cachelens::SnapshotInfo>& snapshots);
    void onProgress(const cachelens::RestoreProgress& progress);
    void onFinished(const cachelens::RestoreReport& report);
    int currentRow() const;

    QString m_directory;
    QPointer<Source> m_source;
    bool m_local = false;
    QString m_connectionName;
    bool m_production = false;
    bool m_readOnly = false;
    bool m_connected = true;
    quint64 m_nextId = 0;
    quint64 m_listing = 0;
    quint64 m_running = 0;
    QString m_selectPath;

    SnapshotListModel* m_model;
    QTableView* m_view;
    QPushButton* m_refresh;
    QPushButton* m_restore;
    QPushButton* m_delete;
    QPushButton* m_cancel;
    QLabel* m_reason;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_result;
    QPointer<ConfirmPurgeDialog> m_confirm;
    SnapshotLoader* m_loader;   // adopted by m_worker: lives on its thread
    Worker m_worker;            // last: joined before the members above go
};

} // namespace cachelens::ui
