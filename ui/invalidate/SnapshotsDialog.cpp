#include "ui/invalidate/SnapshotsDialog.h"

#include "connectors/Source.h"
#include "connectors/support/Progress.h"
#include "connectors/support/Units.h"
#include "ui/invalidate/ConfirmPurgeDialog.h"
#include "ui/invalidate/SourceCalls.h"
#include "ui/invalidate/SnapshotListModel.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace cachelens::ui {
namespace {

// Restores are numbered in their own range, apart from the pattern page's and the tag page's requests.
constexpr quint64 kIdBase = quint64(1) << 61;

} // namespace

void SnapshotLoader::list(quint64 requestId, const QString& directory)
{
    Q_EMIT listed(requestId, SnapshotFile::list(directory));
}

void SnapshotLoader::remove(quint64 requestId, const QString& path)
{
    QString error;
    SnapshotFile::remove(path, &error);
    Q_EMIT removed(requestId, path, error);
}

SnapshotsDialog::SnapshotsDialog(QWidget* parent)
    : QDialog(parent), m_directory(SnapshotFile::defaultDirectory()), m_model(new SnapshotListModel(this)),
      m_view(new QTableView), m_refresh(new QPushButton(tr("Refresh"))), m_restore(new QPushButton(tr("Restore…"))),
      m_delete(new QPushButton(tr("Delete…"))), m_cancel(new QPushButton(tr("Cancel"))), m_reason(new QLabel),
      m_progress(new QProgressBar), m_progressText(new QLabel), m_result(new QLabel),
      m_loader(new SnapshotLoader), m_worker(QStringLiteral("snapshots"))
{
    qRegisterMetaType<SnapshotInfo>();
    qRegisterMetaType<QVector<SnapshotInfo>>();
    qRegisterMetaType<RestoreProgress>();
    qRegisterMetaType<RestoreReport>();
    qRegisterMetaType<RestoreOptions>();
    setWindowTitle(tr("Purge snapshots"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(SnapshotListModel::Target, QHeaderView::Stretch);
    m_view->verticalHeader()->hide();
    auto* intro = new QLabel(tr("A purge with “Snapshot” saves every key it deletes (DUMP and TTL) here first. Restore "
                                "puts them back into the current connection; keys that exist again are left as they are, "
                                "and keys whose TTL has run out since stay gone."));
    intro->setWordWrap(true);
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_restore);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_delete);
    buttons->addStretch(1);
    buttons->addWidget(m_refresh);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_reason);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressText);
    layout->addWidget(m_result);
    layout->addWidget(close);
    resize(760, 420);

    m_worker.adopt(m_loader);
    connect(m_loader, &SnapshotLoader::listed, this, &SnapshotsDialog::onListed);
    connect(m_loader, &SnapshotLoader::removed, this, [this](quint64, const QString& path, const QString& error) {
        m_result->setText(error.isEmpty() ? tr("Deleted the snapshot %1.").arg(QDir::toNativeSeparators(path)) : error);
        reload();
    });

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_refresh, &QPushButton::clicked, this, &SnapshotsDialog::reload);
    connect(m_restore, &QPushButton::clicked, this, &SnapshotsDialog::askToRestore);
    connect(m_delete, &QPushButton::clicked, this, &SnapshotsDialog::askToDelete);
    connect(m_cancel, &QPushButton::clicked, this, &SnapshotsDialog::cancelRestore);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &SnapshotsDialog::updateActions);
    updateActions();
}

SnapshotsDialog::~SnapshotsDialog() = default;   // m_worker finishes the listing running, then deletes m_loader

void SnapshotsDialog::setDirectory(const QString& directory)
{
    m_directory = directory;
    reload();
}

void SnapshotsDialog::setSource(Source* source, bool local)
{
    if (m_source == source)
        return;
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    m_local = local;
    m_running = 0;
    if (source) {
        connect(source, &Source::restoreProgress, this, &SnapshotsDialog::onProgress);
        connect(source, &Source::restoreFinished, this, &SnapshotsDialog::onFinished);
    }
    updateActions();
}

void SnapshotsDialog::setConnection(const QString& name, bool production, bool readOnly, bool connected)
{
    m_connectionName = name;
    m_production = production;
    m_readOnly = readOnly;
    m_connected = connected;
    updateActions();
}

int SnapshotsDialog::currentRow() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void SnapshotsDialog::selectPath(const QString& path)
{
    m_selectPath = path;
    if (const int row = m_model->rowOf(path); row >= 0)
        m_view->selectRow(row);
}

void SnapshotsDialog::updateActions()
{
    const int row = currentRow();
    const SnapshotInfo s = m_model->snapshot(row);
    const bool idle = m_running == 0;
    QString reason;
    if (!m_source)
        reason = tr("Connect to a Redis server to restore a snapshot.");
    else if (m_local)
        reason = tr("Snapshots are for Redis connections: the local engine keeps no DUMP form of its entries, so it "
                    "can neither take nor restore them.");
    else if (m_readOnly)
        reason = tr("%1 is a read-only connection: restoring writes keys, so it is disabled.").arg(m_connectionName);
    else if (!m_connected)
        reason = tr("%1 is not connected: restoring waits for the connection.").arg(m_connectionName);
    else if (row >= 0 && !s.error.isEmpty())
        reason = s.error;
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    const bool usable = m_source && !m_local && !m_readOnly && m_connected;
    m_restore->setEnabled(usable && idle && row >= 0 && s.error.isEmpty() && s.keys > s.restored);
    m_delete->setEnabled(idle && row >= 0);
    m_cancel->setEnabled(!idle);
}

void SnapshotsDialog::reload()
{
    const quint64 id = ++m_listing;
    // A newer listing replaces one not started yet (its answer would be stale anyway).
    m_worker.postLatest([loader = m_loader, id, directory = m_directory](const std::atomic<bool>&) {
        loader->list(id, directory);
    });
}

void SnapshotsDialog::onListed(quint64 requestId, const QVector<SnapshotInfo>& snapshots)
{
    if (requestId != m_listing)
        return;
    const QString keep = currentRow() >= 0 ? m_model->snapshot(currentRow()).path : m_selectPath;
    m_model->setSnapshots(snapshots);
    m_view->resizeColumnsToContents();
    if (const int row = m_model->rowOf(keep.isEmpty() ? m_selectPath : keep); row >= 0)
        m_view->selectRow(row);
    if (snapshots.isEmpty() && m_result->text().isEmpty())
        m_result->setText(tr("No snapshots in %1 yet.").arg(QDir::toNativeSeparators(m_directory)));
    updateActions();
}

void SnapshotsDialog::askToRestore()
{
    const int row = currentRow();
    if (row < 0 || !m_restore->isEnabled())
        return;
    const SnapshotInfo s = m_model->snapshot(row);
    const QLocale locale;
    QString what = tr("Restore the %1 keys of the snapshot taken %2 (%3 on %4) into %5? Keys that exist now are left "
                      "as they are; keys whose TTL has run out since stay gone.")
                       .arg(locale.toString(s.keys - s.restored), locale.toString(s.created.toLocalTime(), QLocale::ShortFormat),
                            s.target.toHtmlEscaped(), s.connection.toHtmlEscaped(), m_connectionName.toHtmlEscaped());
    if (s.connection != m_connectionName)
        what += tr("<br><b>It was taken on %1, not on %2.</b>").arg(s.connection.toHtmlEscaped(), m_connectionName.toHtmlEscaped());
    auto* dialog = new ConfirmPurgeDialog(what, m_connectionName, m_production, this);
    dialog->setAction(tr("Confirm restore"), tr("Restore"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    const QString path = s.path;
    connect(dialog, &QDialog::accepted, this, [this, dialog, path] { startRestore(path, dialog->confirmation()); });
    dialog->open();
}

void SnapshotsDialog::startRestore(const QString& path, const Confirmation& confirmation)
{
    if (!m_source || m_running || m_local || m_readOnly)
        return;
    RestoreOptions options;
    const quint64 id = kIdBase + ++m_nextId;
    m_running = id;
    Source* source = m_source;
    QMetaObject::invokeMethod(source, [source, id, path, options, confirmation] {
        source->restoreSnapshot(id, path, options, confirmation);
    }, Qt::QueuedConnection);
    m_progress->setRange(0, 0);
    m_progressText->clear();
    m_result->setText(tr("Restoring %1…").arg(QFileInfo(path).fileName()));
    updateActions();
}

void SnapshotsDialog::cancelRestore()
{
    if (!m_source || !m_running)
        return;
    cancelOnSource(m_source, m_running);
    m_progressText->setText(tr("Cancelling…"));
}

void SnapshotsDialog::onProgress(const RestoreProgress& p)
{
    if (p.requestId != m_running)
        return;
    const QLocale locale;
    m_progress->setRange(0, 1000);
    m_progress->setValue(p.total ? int(qMin<quint64>(1000, p.done * 1000 / p.total)) : 0);
    m_progressText->setText(tr("%1 of %2 keys · %3 restored · %4 · ETA %5")
                                .arg(locale.toString(qulonglong(p.done)), locale.toString(qulonglong(p.total)),
                                     locale.toString(qulonglong(p.restored)), formatRate(p.keysPerSecond, tr("keys"), locale),
                                     formatDuration(p.etaSeconds, locale)));
}

void SnapshotsDialog::onFinished(const RestoreReport& r)
{
    if (r.requestId != m_running)
        return;
    m_running = 0;
    m_progress->setRange(0, 1000);
    m_progress->setValue(r.error.isError() || r.cancelled ? m_progress->value() : 1000);
    QString text = r.summary();
    if (r.error.isError() || r.cancelled || r.interrupted)
        text = QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped());
    text += tr(" (%1 s)").arg(r.seconds, 0, 'f', 2);
    if (r.interrupted)
        text += tr(". Restore again once the server is back to put back the rest.");
    m_result->setText(text);
    Q_EMIT restored();
    reload();
    updateActions();
}

void SnapshotsDialog::askToDelete()
{
    const int row = currentRow();
    if (row < 0 || m_running)
        return;
    const SnapshotInfo s = m_model->snapshot(row);
    const QString what = tr("Delete the snapshot file %1 (%2 keys)? Its keys can no longer be restored afterwards.")
                             .arg(QDir::toNativeSeparators(s.path).toHtmlEscaped(), QLocale().toString(s.keys));
    // Deleting a local file touches no server: no typed name, whatever the connection.
    auto* dialog = new ConfirmPurgeDialog(what, m_connectionName, false, this);
    dialog->setAction(tr("Delete snapshot"), tr("Delete"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    const QString path = s.path;
    connect(dialog, &QDialog::accepted, this, [this, path] {
        m_worker.post([loader = m_loader, path] { loader->remove(0, path); });
    });
    dialog->open();
}

} // namespace cachelens::ui
