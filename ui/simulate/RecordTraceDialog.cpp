#include "ui/simulate/RecordTraceDialog.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretResolver.h"
#include "connectors/sim/SimulationRunner.h"
#include "connectors/support/Progress.h"
#include "connectors/support/Units.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <limits>

namespace cachelens::ui {

RecordTraceDialog::RecordTraceDialog(QWidget* parent) : QDialog(parent), m_recorder(new sim::TraceRecorder(this))
{
    setObjectName(QStringLiteral("recordTraceDialog"));
    setWindowTitle(tr("Record a Trace"));
    auto* form = new QFormLayout;
    m_source = new QComboBox;
    m_source->setObjectName(QStringLiteral("recordSource"));
    form->addRow(tr("Record from:"), m_source);
    m_seconds = new QDoubleSpinBox;
    m_seconds->setRange(0.1, 3600);
    m_seconds->setDecimals(1);
    m_seconds->setValue(10);
    m_seconds->setSuffix(tr(" s"));
    form->addRow(tr("Stop after:"), m_seconds);
    m_maxRequests = new QSpinBox;
    m_maxRequests->setRange(0, std::numeric_limits<int>::max());
    m_maxRequests->setSingleStep(10000);
    m_maxRequests->setSpecialValueText(tr("no limit"));
    m_maxRequests->setSuffix(tr(" requests"));
    form->addRow(tr("…or after:"), m_maxRequests);
    m_format = new QComboBox;
    m_format->addItem(tr("u64le: key ids, 8 bytes per request"), QStringLiteral("u64le"));
    m_format->addItem(tr("text: index,key,op lines (gets, sets and deletes)"), QStringLiteral("text"));
    form->addRow(tr("Format:"), m_format);
    auto* pathRow = new QHBoxLayout;
    m_path = new QLineEdit;
    m_path->setObjectName(QStringLiteral("recordPath"));
    m_path->setPlaceholderText(tr("a new file in %1").arg(QDir::toNativeSeparators(QFileInfo(defaultPath(QString())).absolutePath())));
    m_browse = new QPushButton(tr("Browse…"));
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save the trace as"), m_path->text(),
                                                       tr("Traces (*.u64 *.bin *.txt *.csv);;All files (*)"));
        if (!p.isEmpty()) m_path->setText(p);
    });
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    form->addRow(tr("Save to:"), pathRow);
    m_confirm = new QLineEdit;
    m_confirm->setObjectName(QStringLiteral("recordConfirmation"));
    form->addRow(QString(), m_confirm);

    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("recordNote"));
    m_note->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_status = new QLabel(tr("Choose what to record, then Record."));
    m_status->setObjectName(QStringLiteral("recordStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox;
    m_record = buttons->addButton(tr("&Record"), QDialogButtonBox::ActionRole);
    m_record->setObjectName(QStringLiteral("recordButton"));
    m_stop = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setEnabled(false);
    m_use = buttons->addButton(tr("&Use as Workload"), QDialogButtonBox::ActionRole);
    m_use->setObjectName(QStringLiteral("useButton"));
    m_use->setEnabled(false);
    m_use->setToolTip(tr("Put the recorded trace in the workload editor as a \"trace\" workload, to run against the policies and sizes to compare"));
    buttons->addButton(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_record, &QPushButton::clicked, this, &RecordTraceDialog::record);
    connect(m_stop, &QPushButton::clicked, this, &RecordTraceDialog::stop);
    connect(m_use, &QPushButton::clicked, this, [this] {
        if (m_last.saved) emit useTrace(m_last);
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_note);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_recorder, &sim::TraceRecorder::progress, this, &RecordTraceDialog::onProgress);
    connect(m_recorder, &sim::TraceRecorder::finished, this, &RecordTraceDialog::onFinished);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { sourceChanged(); });
    reloadSources();
}

RecordTraceDialog::~RecordTraceDialog() = default;

void RecordTraceDialog::setLocalEngine(std::shared_ptr<engine::Cache> cache)
{
    m_cache = std::move(cache);
    reloadSources();
    if (m_cache && !isRecording()) m_source->setCurrentIndex(0);
}

void RecordTraceDialog::reloadSources()
{
    const QString current = m_source->currentData().toString();
    const QSignalBlocker block(m_source);
    m_source->clear();
    m_source->addItem(tr("Local engine (access tap)"), QStringLiteral("local"));
    if (!m_cache) {
        m_source->setItemData(0, 0, Qt::UserRole - 1); // disabled: there is no engine to record in this window
        m_source->setItemData(0, tr("No local engine in this window"), Qt::ToolTipRole);
    }
    for (const auto& p : ProfileStore().list()) {
        QString label = tr("%1 (MONITOR)").arg(p.name);
        if (p.production) label += tr(" (production)");
        m_source->addItem(label, p.name);
    }
    int i = m_source->findData(current);
    if (i < 0) i = m_cache ? 0 : std::min(1, m_source->count() - 1);
    m_source->setCurrentIndex(i);
    sourceChanged();
}

bool RecordTraceDialog::isRecording() const { return m_stop->isEnabled(); }

void RecordTraceDialog::sourceChanged()
{
    const QString source = m_source->currentData().toString();
    m_confirm->clear();
    m_confirm->setVisible(false);
    if (source == QLatin1String("local")) {
        m_note->setStyleSheet(QString());
        m_note->setText(tr("Records the local engine's access tap while whatever drives it runs (the demo workload, View ▸ "
                           "Run Demo Workload): every get with the engine's own hit or miss, every write and delete. "
                           "Keys are recorded as the engine's key hashes. While it records, each operation costs the "
                           "engine a few nanoseconds more."));
        return;
    }
    QString error;
    const auto t = sim::resolveSimTarget(source, error);
    m_note->setStyleSheet(QStringLiteral("color: #c0392b"));
    if (!error.isEmpty()) {
        m_note->setText(error);
        return;
    }
    QString note = tr("MONITOR makes %1 copy every command it runs to CacheLens for the whole recording: on a busy "
                      "server that costs CPU and output-buffer memory, and its throughput can halve. Keep recordings short.")
                       .arg(t->display);
    if (t->guard.production) {
        note += QLatin1Char(' ') + tr("%1 is a production connection: type its name to record from it.").arg(t->display);
        m_confirm->setVisible(true);
        m_confirm->setPlaceholderText(tr("type \"%1\" to record from it").arg(t->display));
    }
    m_note->setText(note);
}

QString RecordTraceDialog::defaultPath(const QString& source) const
{
    QString slug = source.isEmpty() ? QStringLiteral("trace") : source;
    for (QChar& c : slug)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-')) c = QLatin1Char('_');
    const bool u64 = m_format->currentData().toString() == QLatin1String("u64le");
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("traces/%1-%2.%3")
        .arg(slug, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")), u64 ? QStringLiteral("u64") : QStringLiteral("txt")));
}

void RecordTraceDialog::showError(const QString& message)
{
    m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_status->setText(message);
}

void RecordTraceDialog::setRecording(bool on)
{
    m_record->setEnabled(!on);
    m_stop->setEnabled(on);
    m_source->setEnabled(!on);
    m_seconds->setEnabled(!on);
    m_maxRequests->setEnabled(!on);
    m_format->setEnabled(!on);
    m_path->setEnabled(!on);
    m_browse->setEnabled(!on);
    if (on) m_use->setEnabled(false);
}

void RecordTraceDialog::record()
{
    if (isRecording()) return;
    const QString source = m_source->currentData().toString();
    sim::TraceRecordJob job;
    job.duration = std::chrono::milliseconds(qint64(m_seconds->value() * 1000));
    job.maxRequests = quint64(m_maxRequests->value());
    job.format = m_format->currentData().toString() == QLatin1String("u64le") ? engine::sim::TraceFormat::U64Le
                                                                               : engine::sim::TraceFormat::Text;
    job.path = m_path->text().trimmed();
    if (job.path.isEmpty()) job.path = defaultPath(source == QLatin1String("local") ? QStringLiteral("local") : source);
    if (!QDir().mkpath(QFileInfo(job.path).absolutePath())) {
        showError(tr("Cannot create the folder of %1. Nothing was recorded.").arg(job.path));
        return;
    }
    m_status->setStyleSheet(QString());
    if (source == QLatin1String("local")) {
        if (!m_cache) {
            showError(tr("There is no local engine in this window. Nothing was recorded."));
            return;
        }
        job.cache = m_cache;
        job.display = tr("Local engine");
        start(std::move(job));
        return;
    }
    QString error;
    const auto t = sim::resolveSimTarget(source, error);
    if (!t) {
        showError(tr("%1 Nothing was recorded.").arg(error));
        return;
    }
    if (t->guard.production && m_confirm->text() != t->display) {
        showError(tr("Refused: %1 is a production connection, and MONITOR slows it down. Type its name in the box "
                     "above to record from it anyway. Nothing was recorded.").arg(t->display));
        return;
    }
    job.display = t->display;
    setRecording(true);
    if (SecretResolver::asksKeychain(t->connection))
        m_status->setText(tr("Reading the password of %1 from the keychain…").arg(t->display));
    const quint64 id = ++m_request;
    SecretResolver::resolve(t->connection, {}, this, [this, id, job](const SecretResolver::Resolved& r) mutable {
        if (id != m_request) return; // stopped meanwhile
        job.url = r.url.toString(true);
        start(std::move(job));
        if (!r.problem.isEmpty()) m_status->setText(tr("Recording without a password: %1").arg(r.problem));
    });
}

void RecordTraceDialog::start(sim::TraceRecordJob job)
{
    const QString display = job.display;
    if (!m_recorder->start(std::move(job))) return;
    setRecording(true);
    m_progress->setValue(0);
    m_status->setText(tr("Recording from %1…").arg(display));
}

void RecordTraceDialog::stop()
{
    if (m_recorder->isRunning()) {
        m_recorder->cancel();
        m_status->setText(tr("Stopping; the requests recorded so far are kept…"));
        return;
    }
    if (isRecording()) { // still waiting for the keychain
        ++m_request;
        setRecording(false);
        m_status->setText(tr("Stopped before the recording started. Nothing was recorded."));
    }
}

void RecordTraceDialog::onProgress(quint64 requests, double seconds)
{
    const QLocale locale;
    const double limit = m_seconds->value();
    double done = limit > 0 ? seconds / limit : 0;
    if (m_maxRequests->value() > 0) done = std::max(done, double(requests) / double(m_maxRequests->value()));
    m_progress->setValue(int(1000 * std::min(1.0, done)));
    const double rate = seconds > 0 ? double(requests) / seconds : 0;
    m_status->setText(tr("%1 requests · %2 · %3 left")
                          .arg(locale.toString(requests), formatRate(rate, tr("requests"), locale),
                               formatDuration(std::max(0.0, limit - seconds), locale)));
}

void RecordTraceDialog::onFinished(const sim::TraceRecording& r)
{
    setRecording(false);
    m_last = r;
    m_progress->setValue(1000);
    if (r.saved) m_status->setStyleSheet(QString());
    else m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_status->setText(describeRecording(r));
    m_use->setEnabled(r.saved);
    emit recordingFinished(r);
}

} // namespace cachelens::ui
