#include "ui/invalidate/InvalidatePanel.h"

#include "connectors/audit/AuditStore.h"
#include "connectors/invalidate/GlobCheck.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/support/Progress.h"
#include "connectors/support/Units.h"
#include "ui/ConnectionListModel.h"
#include "ui/Icons.h"
#include "ui/invalidate/AuditView.h"
#include "ui/invalidate/ConfirmPurgeDialog.h"
#include "ui/invalidate/SourceCalls.h"
#include "ui/invalidate/SnapshotsDialog.h"
#include "ui/invalidate/TagPage.h"

#include <cachelens/key_escape.h>

#include <QCheckBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <utility>

namespace cachelens::ui {
namespace {

QString escaped(const QByteArray& key)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size()))));
}

} // namespace

InvalidatePanel::InvalidatePanel(QWidget* parent)
    : Panel(parent), m_snapshotDirectory(SnapshotFile::defaultDirectory()),
      m_tabs(new QTabWidget(this)), m_pattern(new QLineEdit), m_validation(new QLabel), m_rate(new QSpinBox),
      m_jitter(new QSpinBox), m_includeNew(new QCheckBox), m_snapshot(new QCheckBox), m_snapshotLimit(new QSpinBox),
      m_snapshots(new QPushButton(tr("Snapshots…"))),
      m_dryRun(new QPushButton(tr("Dry run"))), m_purge(new QPushButton(tr("Purge…"))),
      m_cancel(new QPushButton(tr("Cancel"))), m_reason(new QLabel), m_forecast(new QLabel), m_sample(new QListWidget),
      m_progress(new QProgressBar), m_progressText(new QLabel), m_result(new QLabel), m_resume(new QPushButton(tr("Resume"))),
      m_tagPage(new TagPage), m_audit(new AuditView)
{
    qRegisterMetaType<InvalidationProgress>();
    qRegisterMetaType<InvalidationReport>();
    qRegisterMetaType<InvalidateOptions>();

    // Pattern tab.
    auto* patternPage = new QWidget;
    m_pattern->setPlaceholderText(tr("Redis glob, e.g. user:* or session:[0-9]*"));
    m_pattern->setClearButtonEnabled(true);
    m_validation->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_validation->setWordWrap(true);
    m_rate->setRange(0, 10'000'000);
    m_rate->setSingleStep(1000);
    m_rate->setSpecialValueText(tr("unlimited"));
    m_rate->setSuffix(tr(" keys/s"));
    m_jitter->setRange(0, 7 * 24 * 3600);
    m_jitter->setSpecialValueText(tr("delete at once"));
    m_jitter->setPrefix(tr("expire over 0–"));
    m_jitter->setSuffix(tr(" s"));
    m_includeNew->setText(tr("Also delete matching keys created while the purge runs"));
    m_includeNew->setChecked(false);   // keys written during the purge are most likely fresh
    m_snapshot->setText(tr("Snapshot the keys before deleting them (for Restore), up to"));
    m_snapshotLimit->setRange(1, 1024 * 1024);
    m_snapshotLimit->setValue(512);
    m_snapshotLimit->setSuffix(tr(" MiB"));
    auto* snapshotRow = new QHBoxLayout;
    snapshotRow->addWidget(m_snapshot);
    snapshotRow->addWidget(m_snapshotLimit);
    snapshotRow->addStretch(1);
    auto* form = new QFormLayout;
    form->addRow(tr("Pattern:"), m_pattern);
    form->addRow(QString(), m_validation);
    form->addRow(tr("Throttle:"), m_rate);
    form->addRow(tr("Mode:"), m_jitter);
    form->addRow(QString(), m_includeNew);
    form->addRow(tr("Undo:"), snapshotRow);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_dryRun);
    buttons->addWidget(m_purge);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    buttons->addStretch(1);
    buttons->addWidget(m_snapshots);
    m_resume->setToolTip(tr("Continue the interrupted purge where it stopped"));
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_forecast->setWordWrap(true);
    m_forecast->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    auto* sampleBox = new QGroupBox(tr("Sample of matching keys"));
    auto* sampleLayout = new QVBoxLayout(sampleBox);
    sampleLayout->addWidget(m_sample);
    auto* patternLayout = new QVBoxLayout(patternPage);
    patternLayout->addLayout(form);
    patternLayout->addLayout(buttons);
    patternLayout->addWidget(m_reason);
    patternLayout->addWidget(m_progress);
    patternLayout->addWidget(m_progressText);
    patternLayout->addWidget(m_forecast);
    patternLayout->addWidget(m_result);
    patternLayout->addWidget(sampleBox, 1);

    m_tabs->addTab(patternPage, tr("By pattern"));
    m_tabs->addTab(m_tagPage, tr("By tag"));
    m_tabs->addTab(m_audit, tr("Audit log"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);

    connect(m_pattern, &QLineEdit::textChanged, this, &InvalidatePanel::validate);
    connect(m_pattern, &QLineEdit::returnPressed, this, &InvalidatePanel::startDryRun);
    connect(m_dryRun, &QPushButton::clicked, this, &InvalidatePanel::startDryRun);
    connect(m_purge, &QPushButton::clicked, this, &InvalidatePanel::askToPurge);
    connect(m_cancel, &QPushButton::clicked, this, &InvalidatePanel::cancelRunning);
    connect(m_resume, &QPushButton::clicked, this, &InvalidatePanel::resumePurge);
    connect(m_snapshots, &QPushButton::clicked, this, &InvalidatePanel::showSnapshots);
    connect(m_snapshot, &QCheckBox::toggled, this, &InvalidatePanel::updateActions);
    connect(m_tagPage, &TagPage::invalidated, m_audit, &AuditView::reload);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_audit)
            m_audit->reload();
    });
    validate();
}

InvalidatePanel::~InvalidatePanel() = default;

ConfirmPurgeDialog* InvalidatePanel::pendingConfirmation() const { return m_confirm.data(); }
SnapshotsDialog* InvalidatePanel::snapshotsDialog() const { return m_snapshotsDialog.data(); }

QIcon InvalidatePanel::icon() const { return themedIcon(nullptr, "invalidate"); }

void InvalidatePanel::setSnapshotDirectory(const QString& directory)
{
    m_snapshotDirectory = directory;
    if (m_snapshotsDialog)
        m_snapshotsDialog->setDirectory(directory);
}

void InvalidatePanel::showSnapshots()
{
    if (!m_snapshotsDialog) {
        m_snapshotsDialog = new SnapshotsDialog(this);
        m_snapshotsDialog->setDirectory(m_snapshotDirectory);
        connect(m_snapshotsDialog, &SnapshotsDialog::restored, m_audit, &AuditView::reload);
        updateActions();   // hands it the source and connection
    } else {
        m_snapshotsDialog->reload();
    }
    m_snapshotsDialog->show();
    m_snapshotsDialog->raise();
}

void InvalidatePanel::setConnection(const ConnectionEntry& entry)
{
    m_connectionName = entry.name;
    m_production = entry.production;
    m_readOnly = entry.readOnly;
    m_local = entry.local;
    m_tagPage->setConnection(entry.name, entry.production, entry.readOnly);
    updateActions();
}

void InvalidatePanel::setSource(Source* source)
{
    if (m_source == source)
        return;
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    if (source) {   // the log this source writes (its guard's; one log for every connection in the application)
        const QString written = source->guard().policy().auditPath;
        m_audit->setAuditPath(written.isEmpty() ? AuditStore::defaultPath() : written);
    }
    m_running = 0;
    m_dryGlob.clear();
    m_interrupted.reset();
    m_resuming.reset();
    m_connected = true;
    m_connectionDetail.clear();
    m_tagPage->setSource(source, source && source->kind() == Source::Kind::Local);
    if (source) {
        connect(source, &Source::stateChanged, this, [this](ConnectionState state, const QString&) {
            m_connected = state == ConnectionState::Ready;
            m_connectionDetail = m_connected ? QString() : connectionStateName(state);
            updateActions();
        });
        connect(source, &Source::invalidationProgress, this, &InvalidatePanel::onProgress);
        connect(source, &Source::invalidationFinished, this, &InvalidatePanel::onFinished);
    }
    updateActions();
}

void InvalidatePanel::openPattern(const QString& sourceId, const QByteArray& glob)
{
    m_tabs->setCurrentIndex(0);
    m_pattern->setText(QString::fromUtf8(glob));
    if (m_source && m_source->id() == sourceId && globProblem(glob).isEmpty())
        startDryRun();
}

void InvalidatePanel::validate()
{
    const QByteArray glob = m_pattern->text().toUtf8();
    const QString problem = m_pattern->text().isEmpty() ? QString() : globProblem(glob);
    m_validation->setText(problem);
    m_validation->setVisible(!problem.isEmpty());
    updateActions();
}

void InvalidatePanel::updateActions()
{
    const QByteArray glob = m_pattern->text().toUtf8();
    const bool valid = !glob.isEmpty() && globProblem(glob).isEmpty();
    const bool idle = m_running == 0;
    QString reason;
    if (!m_source)
        reason = tr("Connect to a cache to invalidate keys.");
    else if (m_readOnly)
        reason = tr("%1 is a read-only connection: purging is disabled. Clear “read-only” in the connection's "
                    "settings to purge.").arg(m_connectionName);
    else if (!m_connected)
        reason = tr("%1 is %2: purging waits for the connection.").arg(m_connectionName, m_connectionDetail);
    else if (valid && idle && m_dryGlob != glob)
        reason = tr("Run a dry run first: it shows how many keys will be deleted.");
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    const bool usable = m_source && m_connected;
    m_dryRun->setEnabled(usable && valid && idle);
    m_purge->setEnabled(usable && valid && idle && !m_readOnly && m_dryGlob == glob);
    m_cancel->setEnabled(!idle);
    m_resume->setVisible(m_interrupted.has_value());
    m_resume->setEnabled(usable && idle && !m_readOnly && m_interrupted.has_value());
    // Snapshots are DUMP payloads: Redis only.
    const bool redis = m_source && !m_local;
    m_snapshot->setEnabled(redis && idle);
    m_snapshotLimit->setEnabled(redis && idle && m_snapshot->isChecked());
    if (!redis)
        m_snapshot->setChecked(false);
    m_snapshot->setToolTip(redis ? tr("DUMP and TTL of every key go to a file before the key is deleted; the purge stops "
                                      "before deleting more when the file would pass the limit. Snapshots… restores them.")
                                 : tr("Snapshots are for Redis connections only: the local engine keeps no DUMP form of "
                                      "its entries."));
    if (m_snapshotsDialog) {
        m_snapshotsDialog->setSource(m_source, m_local);
        m_snapshotsDialog->setConnection(m_connectionName, m_production, m_readOnly, m_connected);
    }
}

void InvalidatePanel::startDryRun() { start(true); }

void InvalidatePanel::askToPurge()
{
    const QByteArray glob = m_pattern->text().toUtf8();
    if (!m_source || m_readOnly || m_dryGlob != glob || m_running)
        return;
    const QLocale locale;
    const QString verb = m_jitter->value() > 0 ? tr("Expire (over %1 s)").arg(m_jitter->value()) : tr("Delete");
    QString what = tr("%1 %2 keys matching %3 on %4?")
                       .arg(verb, locale.toString(qulonglong(m_dryMatched)), m_pattern->text().toHtmlEscaped(),
                            m_connectionName.toHtmlEscaped());
    if (m_snapshot->isChecked())
        what += tr(" Each key is saved to a snapshot first (up to %1 MiB; the purge stops before deleting more), and "
                   "Snapshots… can put them back.").arg(locale.toString(m_snapshotLimit->value()));
    else if (!m_local)
        what += tr(" No snapshot is taken: the keys cannot be restored.");
    auto* dialog = new ConfirmPurgeDialog(what, m_connectionName, m_production, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog] { start(false, {}, {}, dialog->confirmation()); });
    dialog->open();
}

void InvalidatePanel::resumePurge()
{
    if (!m_source || m_readOnly || m_running || !m_interrupted)
        return;
    const Interrupted earlier = *m_interrupted;
    const QString what = tr("Resume deleting the keys matching %1 on %2? %3 keys were deleted before the interruption.")
                             .arg(QString::fromUtf8(earlier.glob).toHtmlEscaped(), m_connectionName.toHtmlEscaped(),
                                  QLocale().toString(qulonglong(earlier.done.deleted)));
    auto* dialog = new ConfirmPurgeDialog(what, m_connectionName, m_production, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog, earlier] {
        if (m_running || !m_interrupted)
            return;
        m_pattern->setText(QString::fromUtf8(earlier.glob));
        start(false, earlier.cursors, earlier.snapshotPath, dialog->confirmation());
        if (m_running)
            m_resuming = earlier;
    });
    dialog->open();
}

void InvalidatePanel::start(bool dryRun, const QList<QPair<QString, QByteArray>>& resumeCursors, const QString& snapshotPath,
                            const Confirmation& confirmation)
{
    const QByteArray glob = m_pattern->text().toUtf8();
    if (!m_source || m_running || glob.isEmpty() || !globProblem(glob).isEmpty() || (!dryRun && m_readOnly))
        return;
    InvalidateOptions options;
    options.dryRun = dryRun;
    options.maxKeysPerSecond = m_rate->value();
    options.expireJitterSeconds = m_jitter->value();
    options.newKeys = m_includeNew->isChecked() ? InvalidateOptions::NewKeys::Include : InvalidateOptions::NewKeys::Exclude;
    options.resumeCursors = resumeCursors;
    // A resumed purge that was snapshotting goes on into the same file.
    options.snapshot = !dryRun && !m_local && (m_snapshot->isChecked() || !snapshotPath.isEmpty());
    options.snapshotPath = snapshotPath;
    options.snapshotDirectory = m_snapshotDirectory;
    options.snapshotLimitBytes = qint64(m_snapshotLimit->value()) << 20;
    const quint64 id = ++m_nextId;
    m_running = id;
    m_runningDry = dryRun;
    m_interrupted.reset();
    if (dryRun) {
        m_sample->clear();
        m_forecast->clear();
    }
    m_result->setText(dryRun                  ? tr("Counting keys matching %1…").arg(m_pattern->text())
                      : resumeCursors.isEmpty() ? tr("Purging keys matching %1…").arg(m_pattern->text())
                                                : tr("Resuming the purge of %1…").arg(m_pattern->text()));
    m_progress->setRange(0, 0);   // busy until the first figures arrive
    m_progressText->clear();
    Source* source = m_source;
    QMetaObject::invokeMethod(source, [source, id, glob, options, confirmation] {
        source->invalidatePattern(id, glob, options, confirmation);
    }, Qt::QueuedConnection);
    updateActions();
}

void InvalidatePanel::cancelRunning()
{
    if (!m_source || !m_running)
        return;
    cancelOnSource(m_source, m_running);
    m_progressText->setText(tr("Cancelling…"));
}

void InvalidatePanel::onProgress(const InvalidationProgress& p)
{
    if (p.requestId != m_running)
        return;
    const QLocale locale;
    const quint64 total = m_runningDry ? p.estimatedMatches : qMax(p.estimatedMatches, m_dryMatched);
    const quint64 done = m_runningDry ? p.matched : p.deleted;
    // QProgressBar holds ints; scale to per-mille.
    m_progress->setRange(0, 1000);
    m_progress->setValue(total ? int(qMin<quint64>(1000, done * 1000 / total)) : 0);
    const QString rate = formatRate(p.keysPerSecond, tr("keys"), locale);
    QString text = m_runningDry ? tr("%1 matching keys so far (about %2 in all) · %3")
                                      .arg(locale.toString(qulonglong(p.matched)), locale.toString(qulonglong(p.estimatedMatches)), rate)
                                : tr("%1 of ~%2 keys deleted · %3 · ETA %4")
                                      .arg(locale.toString(qulonglong(p.deleted)), locale.toString(qulonglong(total)), rate,
                                           formatDuration(p.etaSeconds, locale));
    if (p.batchSize > 0 && p.latencyMs >= 0)
        text += tr(" · batch %1, round trip %2 ms (idle %3 ms)")
                    .arg(p.batchSize)
                    .arg(p.latencyMs, 0, 'f', 2)
                    .arg(p.baselineMs, 0, 'f', 2);
    m_progressText->setText(text);
}

void InvalidatePanel::onFinished(const InvalidationReport& report)
{
    if (report.requestId != m_running)
        return;
    m_running = 0;
    InvalidationReport r = report;
    const std::optional<Interrupted> earlier = std::exchange(m_resuming, std::nullopt);
    if (earlier)   // a resumed run: the report covers every part
        r = r.withEarlierPart(earlier->done);
    if (!r.dryRun && r.interrupted && !r.resumeCursors.isEmpty() && r.what.startsWith(QLatin1String("pattern ")))
        m_interrupted = Interrupted{r.what.mid(8).toUtf8(), r.resumeCursors, r.asEarlierPart(), r.snapshotPath};
    const QLocale locale;
    m_progress->setRange(0, 1000);
    m_progress->setValue(r.error.isError() || r.cancelled ? m_progress->value() : 1000);
    QString result = r.summary();
    if (r.error.isError() || r.cancelled || r.interrupted)
        result = QStringLiteral("<b>%1</b>").arg(result.toHtmlEscaped());
    result += tr(" (%1 s)").arg(r.seconds, 0, 'f', 2);
    if (!r.dryRun && r.newKeys == InvalidateOptions::NewKeys::Include && r.newKeysDeleted)
        result += tr("; %1 of them appeared during the purge").arg(locale.toString(qulonglong(r.newKeysDeleted)));
    else if (!r.dryRun && r.newKeys == InvalidateOptions::NewKeys::Exclude)
        result += tr("; keys created after the scan went by were left alone");
    if (earlier)
        result += tr("; resumed after an interruption: %1 keys before it, %2 after")
                      .arg(locale.toString(qulonglong(earlier->done.deleted)), locale.toString(qulonglong(report.deleted)));
    if (m_interrupted)
        result += tr(". Resume continues where it stopped.");
    if (!r.dryRun && r.snapshotKeys > 0)
        result += tr(". Snapshots… can put them back.");
    m_result->setText(result);
    if (r.dryRun && !r.error.isError() && !r.cancelled) {
        m_dryGlob = r.what.startsWith(QLatin1String("pattern ")) ? r.what.mid(8).toUtf8() : QByteArray();
        m_dryMatched = r.matched;
        QString forecast = tr("<b>%1 keys match</b>").arg(locale.toString(qulonglong(r.matched)));
        if (r.keyspace)
            forecast += tr(" — %1% of the %2 keys in the cache")
                            .arg(locale.toString(r.keyspaceShare() * 100.0, 'f', 1), locale.toString(qulonglong(r.keyspace)));
        if (r.estimatedMemoryBytes >= 0)
            forecast += tr(", about %1").arg(formatBytes(r.estimatedMemoryBytes, 1, locale));
        forecast += r.hitShare >= 0 ? tr(", %1% of recent reads").arg(locale.toString(r.hitShare * 100.0, 'f', 1))
                                    : tr(" (share of recent reads: not known for this source)");
        m_forecast->setText(forecast);
        m_sample->clear();
        for (const QByteArray& key : r.sample)
            m_sample->addItem(escaped(key));
    } else if (!r.dryRun) {
        m_dryGlob.clear();   // the keyspace changed: a new purge needs a new count
        m_audit->reload();
        if (m_snapshotsDialog && !r.snapshotPath.isEmpty()) {
            m_snapshotsDialog->selectPath(r.snapshotPath);
            m_snapshotsDialog->reload();
        }
    }
    updateActions();
}

} // namespace cachelens::ui
