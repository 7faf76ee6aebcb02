#include "ui/simulate/SimulatePanel.h"

#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretResolver.h"
#include "connectors/sim/MrcCalculator.h"
#include "connectors/sim/SimulationRunner.h"
#include "connectors/sim/WorkloadJson.h"
#include "connectors/support/Progress.h"
#include "connectors/support/Units.h"
#include "ui/Icons.h"
#include "ui/simulate/RecordTraceDialog.h"
#include "ui/simulate/SimResultsModel.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace cachelens::ui {

using engine::sim::SimResults;
using engine::sim::WorkloadSpec;

namespace {
constexpr int kMaxConfigurations = 64;

QColor seriesColor(int i)
{
    static const QColor colors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                    QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f)};
    return colors[i % 8];
}
} // namespace

SimulatePanel::SimulatePanel(QWidget* parent) : Panel(parent)
{
    setObjectName(QStringLiteral("simulatePanel"));
    m_runner = new sim::SimulationRunner(this);
    m_curve = new sim::MrcCalculator(this);
    m_model = new SimResultsModel(this);
    buildUi();
    connect(m_runner, &sim::SimulationRunner::progress, this, &SimulatePanel::onProgress);
    connect(m_runner, &sim::SimulationRunner::runFinished, this, &SimulatePanel::onRunFinished);
    connect(m_runner, &sim::SimulationRunner::runFailed, this, &SimulatePanel::onRunFailed);
    connect(m_runner, &sim::SimulationRunner::allFinished, this, &SimulatePanel::onAllFinished);
    connect(m_runner, &sim::SimulationRunner::phaseChanged, this, &SimulatePanel::onPhase);
    connect(m_curve, &sim::MrcCalculator::curveReady, this, &SimulatePanel::onCurve);
    connect(m_curve, &sim::MrcCalculator::failed, this, [this](const QString& e) { showError(tr("Miss-ratio curve: %1").arg(e)); });
    applyPreset(0);
}

SimulatePanel::~SimulatePanel() = default;

QIcon SimulatePanel::icon() const { return themedIcon(nullptr, "simulate"); }

void SimulatePanel::buildUi()
{
    auto* left = new QWidget;
    auto* l = new QVBoxLayout(left);
    l->setContentsMargins(0, 0, 0, 0);
    auto* presetRow = new QHBoxLayout;
    m_presets = new QComboBox;
    m_presets->setObjectName(QStringLiteral("presets"));
    for (const auto& p : sim::workloadPresets()) {
        m_presets->addItem(p.name);
        m_presets->setItemData(m_presets->count() - 1, p.description, Qt::ToolTipRole);
    }
    connect(m_presets, &QComboBox::activated, this, &SimulatePanel::applyPreset);
    m_load = new QPushButton(tr("Load…"));
    m_save = new QPushButton(tr("Save…"));
    connect(m_load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load workload"), {}, tr("Workloads (*.json)"));
        if (!path.isEmpty()) loadSpecFile(path);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save workload"), {}, tr("Workloads (*.json)"));
        if (!path.isEmpty()) saveSpecFile(path);
    });
    presetRow->addWidget(new QLabel(tr("Preset:")));
    presetRow->addWidget(m_presets, 1);
    m_recordButton = new QPushButton(tr("Record…"));
    m_recordButton->setObjectName(QStringLiteral("recordTraceButton"));
    m_recordButton->setToolTip(tr("Record a trace from the local engine or a Redis connection, to replay as a workload"));
    connect(m_recordButton, &QPushButton::clicked, this, &SimulatePanel::openRecordDialog);
    presetRow->addWidget(m_load);
    presetRow->addWidget(m_save);
    presetRow->addWidget(m_recordButton);
    l->addLayout(presetRow);
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("specEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    l->addWidget(m_editor, 1);
    auto* compare = new QGridLayout;
    m_policies = new QLineEdit;
    m_policies->setPlaceholderText(tr("the spec's policy; or e.g. lru,wtinylfu,s3fifo,sieve"));
    m_sizes = new QLineEdit;
    m_sizes->setPlaceholderText(tr("the spec's maxEntries; or e.g. 1000,10000,50000"));
    m_ttls = new QLineEdit;
    m_ttls->setPlaceholderText(tr("the spec's ttlSeconds; or e.g. 5,30,300"));
    compare->addWidget(new QLabel(tr("Compare policies:")), 0, 0);
    compare->addWidget(m_policies, 0, 1);
    compare->addWidget(new QLabel(tr("Cache sizes:")), 1, 0);
    compare->addWidget(m_sizes, 1, 1);
    compare->addWidget(new QLabel(tr("TTLs (s):")), 2, 0);
    compare->addWidget(m_ttls, 2, 1);
    l->addLayout(compare);
    auto* targetRow = new QHBoxLayout;
    m_target = new QComboBox;
    m_target->setObjectName(QStringLiteral("target"));
    m_targetConfirm = new QLineEdit;
    m_targetConfirm->setObjectName(QStringLiteral("targetConfirmation"));
    m_targetConfirm->setVisible(false);
    targetRow->addWidget(new QLabel(tr("Target:")));
    targetRow->addWidget(m_target, 1);
    targetRow->addWidget(m_targetConfirm, 1);
    l->addLayout(targetRow);
    m_targetNote = new QLabel;
    m_targetNote->setObjectName(QStringLiteral("targetNote"));
    m_targetNote->setWordWrap(true);
    l->addWidget(m_targetNote);
    connect(m_target, &QComboBox::currentIndexChanged, this, [this] { targetChanged(); });
    reloadTargets();
    auto* buttons = new QHBoxLayout;
    m_run = new QPushButton(themedIcon("media-playback-start", "simulate"), tr("&Run"));
    m_run->setObjectName(QStringLiteral("runButton"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &SimulatePanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &SimulatePanel::cancel);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    l->addLayout(buttons);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    l->addWidget(m_progress);
    m_status = new QLabel(tr("Pick a preset or edit the workload, then Run."));
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->addWidget(m_status);

    m_tabs = new QTabWidget;
    m_live = new QCustomPlot;
    m_live->setObjectName(QStringLiteral("liveChart"));
    m_live->xAxis->setLabel(tr("requests"));
    m_live->yAxis->setLabel(tr("hit rate %"));
    m_live->yAxis->setRange(0, 100);
    m_live->legend->setVisible(true);
    m_tabs->addTab(m_live, tr("Live"));
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->hide();
    m_tabs->addTab(m_table, tr("Results"));
    m_mrc = new QCustomPlot;
    m_mrc->setObjectName(QStringLiteral("mrcChart"));
    m_mrc->xAxis->setLabel(tr("cache size (entries)"));
    m_mrc->yAxis->setLabel(tr("hit rate %"));
    m_mrc->yAxis->setRange(0, 100);
    m_mrc->legend->setVisible(true);
    m_tabs->addTab(m_mrc, tr("Miss-ratio curve"));

    auto* split = new QSplitter;
    split->addWidget(left);
    split->addWidget(m_tabs);
    split->setStretchFactor(1, 2);
    auto* outer = new QVBoxLayout(this);
    outer->addWidget(split);
}

void SimulatePanel::applyPreset(int index)
{
    const auto presets = sim::workloadPresets();
    if (index < 0 || index >= presets.size()) return;
    m_editor->setPlainText(QString::fromUtf8(presets.at(index).json));
    m_status->setText(presets.at(index).description);
}

bool SimulatePanel::loadSpecFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        showError(tr("Cannot open %1: %2").arg(path, f.errorString()));
        return false;
    }
    const QByteArray json = f.readAll();
    QString error;
    if (!sim::parseWorkload(json, error)) {
        showError(tr("%1 is not a workload: %2. The editor was not changed.").arg(path, error));
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(json));
    m_status->setText(tr("Loaded %1.").arg(path));
    return true;
}

bool SimulatePanel::saveSpecFile(const QString& path)
{
    QString error;
    const auto spec = sim::parseWorkload(m_editor->toPlainText().toUtf8(), error);
    if (!spec) {
        showError(tr("Not saved: %1").arg(error));
        return false;
    }
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(m_editor->toPlainText().toUtf8()) < 0) {
        showError(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    m_status->setText(tr("Saved %1.").arg(path));
    return true;
}

QList<WorkloadSpec> SimulatePanel::configurations(QString& error) const
{
    error.clear();
    const auto base = sim::parseWorkload(m_editor->toPlainText().toUtf8(), error);
    if (!base) {
        error = tr("The workload is not valid: %1").arg(error);
        return {};
    }
    std::vector<engine::PolicyKind> policies;
    for (const QString& p : m_policies->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        engine::PolicyKind k;
        if (!engine::parsePolicy(p.trimmed().toStdString(), k)) {
            error = tr("Unknown policy \"%1\" in the comparison (lru, wtinylfu, s3fifo, sieve).").arg(p.trimmed());
            return {};
        }
        policies.push_back(k);
    }
    if (policies.empty()) policies.push_back(base->policy);
    std::vector<std::uint64_t> sizes;
    for (const QString& p : m_sizes->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qulonglong v = QLocale::c().toULongLong(p.trimmed(), &ok);
        if (!ok) {
            error = tr("Cache sizes must be whole numbers of entries: \"%1\".").arg(p.trimmed());
            return {};
        }
        sizes.push_back(v);
    }
    if (sizes.empty()) sizes.push_back(base->maxEntries);
    std::vector<double> ttls;
    for (const QString& p : m_ttls->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = QLocale::c().toDouble(p.trimmed(), &ok);
        if (!ok || v < 0) {
            error = tr("TTLs must be seconds ≥ 0: \"%1\".").arg(p.trimmed());
            return {};
        }
        ttls.push_back(v);
    }
    if (ttls.empty()) ttls.push_back(base->ttlSeconds);
    if (policies.size() * sizes.size() * ttls.size() > std::size_t(kMaxConfigurations)) {
        error = tr("That is %1 configurations; compare at most %2 at a time.")
                    .arg(policies.size() * sizes.size() * ttls.size())
                    .arg(kMaxConfigurations);
        return {};
    }
    QList<WorkloadSpec> out;
    for (auto p : policies)
        for (auto size : sizes)
            for (double ttl : ttls) {
                WorkloadSpec s = *base;
                s.policy = p;
                s.maxEntries = size;
                s.ttlSeconds = ttl;
                out.append(s);
            }
    return out;
}

QString SimulatePanel::describe(const WorkloadSpec& s)
{
    const QLocale locale;
    return tr("%1, %2 entries, TTL %3 s")
        .arg(QLatin1String(engine::policyName(s.policy)),
             s.maxEntries ? locale.toString(qulonglong(s.maxEntries)) : tr("unbounded"), locale.toString(s.ttlSeconds));
}

void SimulatePanel::reloadTargets()
{
    const QString current = m_target->currentData().toString();
    m_target->clear();
    m_target->addItem(tr("Local engine"), QStringLiteral("local"));
    for (const auto& p : ProfileStore().list()) {
        QString label = p.name;
        if (p.production) label += tr(" (production)");
        if (p.readOnly) label += tr(" (read-only)");
        m_target->addItem(label, p.name);
    }
    const int i = m_target->findData(current);
    m_target->setCurrentIndex(i < 0 ? 0 : i);
    targetChanged();
}

void SimulatePanel::targetChanged()
{
    const QString target = m_target->currentData().toString();
    if (target.isEmpty() || target == QLatin1String("local")) {
        m_targetConfirm->setVisible(false);
        m_targetNote->setText(tr("The spec runs on the engine in this process, on a virtual clock."));
        return;
    }
    QString error;
    const auto t = sim::resolveSimTarget(target, error);
    // The connection's guard decides (a run writes keys): read-only refuses, production asks for the typed name.
    const auto refusal = t ? ChangeGuard(t->guard).check({}) : std::optional<SourceError>{};
    m_targetConfirm->clear();
    m_targetConfirm->setVisible(t && t->guard.production && !t->guard.readOnly);
    m_targetConfirm->setPlaceholderText(tr("type \"%1\" to run on it").arg(target));
    QString note = tr("Runs on Redis %1 with real round trips, as a closed loop on real time (Redis expires keys on "
                      "its own clock). Keys are written under cachelens:sim:<run>: and deleted when the run ends.")
                       .arg(target);
    if (!t) note += QLatin1Char(' ') + error;
    else if (refusal) note += QLatin1Char(' ') + refusal->message;
    m_targetNote->setText(note);
}

bool SimulatePanel::isRunning() const { return m_starting || m_runner->isRunning(); }

void SimulatePanel::setLocalEngine(std::shared_ptr<engine::Cache> cache)
{
    m_localEngine = std::move(cache);
    if (m_recordDialog) m_recordDialog->setLocalEngine(m_localEngine);
}

RecordTraceDialog* SimulatePanel::recordDialog()
{
    if (!m_recordDialog) {
        m_recordDialog = new RecordTraceDialog(this);
        m_recordDialog->setLocalEngine(m_localEngine);
        connect(m_recordDialog, &RecordTraceDialog::useTrace, this, &SimulatePanel::useTrace);
    }
    return m_recordDialog;
}

void SimulatePanel::openRecordDialog()
{
    RecordTraceDialog* d = recordDialog();
    if (!d->isRecording()) d->reloadSources();
    d->show();
    d->raise();
    d->activateWindow();
}

void SimulatePanel::useTrace(const sim::TraceRecording& r)
{
    const QString& path = r.path;
    QString error;
    auto spec = sim::parseWorkload(m_editor->toPlainText().toUtf8(), error);
    if (!spec) spec = sim::parseWorkload(sim::workloadPresets().first().json, error);
    if (!spec) return;
    spec->name = QFileInfo(path).fileName().toStdString();
    spec->distribution = engine::sim::DistributionSpec{};
    spec->distribution.kind = engine::sim::DistributionKind::Trace;
    spec->distribution.tracePath = path.toStdString();
    spec->distribution.traceFormat = engine::sim::traceFormatName(r.format);
    spec->requests = r.requests;
    // A trace workload draws its keys from the file; a text recording's sets and deletes are its writes (readRatio is
    // then ignored), a u64le one holds keys only: all reads.
    spec->readRatio = 1;
    if (r.local) {
        spec->policy = r.policy;
        spec->maxEntries = r.maxEntries;
        spec->maxBytes = r.maxBytes;
    }
    m_editor->setPlainText(QString::fromUtf8(QJsonDocument(sim::workloadToJson(*spec)).toJson(QJsonDocument::Indented)));
    m_status->setStyleSheet(QString());
    m_status->setText(tr("The workload now replays %1 (%2 requests)%3. Run it to compare policies and sizes.")
                          .arg(path, QLocale().toString(qulonglong(r.requests)),
                               r.local ? tr(" with the recorded engine's policy and size") : QString()));
}

void SimulatePanel::run()
{
    if (m_runner->isRunning() || m_starting) return;
    QString error;
    auto configs = configurations(error);
    if (configs.isEmpty()) {
        showError(tr("%1 Nothing was run.").arg(error));
        return;
    }
    const QString target = m_target->currentData().toString();
    if (target.isEmpty() || target == QLatin1String("local")) {
        startRuns(configs, {}, {});
        return;
    }
    const auto t = sim::resolveSimTarget(target, error);
    if (!t) {
        showError(tr("%1 Nothing was run.").arg(error));
        return;
    }
    const Confirmation confirmation{m_targetConfirm->text()};
    if (const auto refusal = ChangeGuard(t->guard).check(confirmation)) {
        QString sentence = refusal->message;
        sentence[0] = sentence.at(0).toUpper();
        showError(tr("%1. Nothing was run.").arg(sentence));
        return;
    }
    for (auto& c : configs) c.target = target.toStdString();
    // A saved connection's password is in the keychain: read it (asynchronously) before the runs start.
    m_starting = true;
    setRunning(true);
    m_status->setStyleSheet(QString());
    if (SecretResolver::asksKeychain(t->connection))
        m_status->setText(tr("Reading the password of %1 from the keychain…").arg(t->display));
    const quint64 id = ++m_runRequest;
    SecretResolver::resolve(t->connection, {}, this, [this, id, configs, confirmation](const SecretResolver::Resolved& r) {
        if (id != m_runRequest) return; // cancelled meanwhile
        m_starting = false;
        startRuns(configs, confirmation, {r.url.password, r.url.sentinelPassword});
        if (!r.problem.isEmpty() && m_runner->isRunning())
            m_status->setText(tr("Running without a password: %1").arg(r.problem));
    });
}

void SimulatePanel::startRuns(const QList<WorkloadSpec>& configs, const Confirmation& confirmation, const sim::SimTargetSecrets& secrets)
{
    m_configs = configs;
    m_finished = m_failed = 0;
    QStringList names;
    for (const auto& c : configs) names << describe(c);
    m_model->reset(names);
    m_live->clearGraphs();
    for (int i = 0; i < configs.size(); ++i) {
        QCPGraph* g = m_live->addGraph();
        g->setName(names.at(i));
        g->setPen(QPen(seriesColor(i), 2));
    }
    m_live->xAxis->setRange(0, double(configs.first().requests ? configs.first().requests : 1));
    m_live->replot(QCustomPlot::rpQueuedReplot);
    m_progress->setValue(0);
    m_status->setStyleSheet(QString());
    if (!m_runner->start(configs, m_workDir.path(), confirmation, secrets)) {
        setRunning(false);
        return;
    }
    // LRU's curve for this workload, from sizes up to the largest compared size (or the key space) × 2.
    std::uint64_t top = 0;
    for (const auto& c : configs) top = std::max<std::uint64_t>(top, c.maxEntries);
    top = std::max<std::uint64_t>(top * 2, 100);
    std::vector<std::uint64_t> sizes;
    for (int i = 1; i <= 40; ++i) sizes.push_back(std::max<std::uint64_t>(1, top * std::uint64_t(i) / 40));
    m_mrc->clearGraphs();
    m_mrc->replot(QCustomPlot::rpQueuedReplot);
    if (!m_curve->isRunning()) m_curve->start(configs.first(), sizes);
    setRunning(true);
}

void SimulatePanel::cancel()
{
    if (m_starting) { // still waiting for the keychain: nothing has run
        ++m_runRequest;
        m_starting = false;
        setRunning(false);
        m_status->setText(tr("Cancelled before the runs started. Nothing was run."));
        emit runsFinished(true);
        return;
    }
    if (!m_runner->isRunning()) return;
    m_runner->cancel();
    m_status->setText(tr("Cancelling…"));
}

void SimulatePanel::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_presets->setEnabled(!running);
    m_load->setEnabled(!running);
}

void SimulatePanel::showError(const QString& message)
{
    m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_status->setText(message);
}

void SimulatePanel::onPhase(int index, const QString& text)
{
    m_status->setText(tr("Configuration %1 of %2 (%3): %4").arg(index + 1).arg(m_configs.size()).arg(describe(m_configs.value(index)), text));
}

void SimulatePanel::onProgress(int index, const SimResults& r)
{
    m_model->update(index, r, false);
    if (QCPGraph* g = m_live->graph(index)) {
        g->addData(double(r.requests), 100 * r.hitRate);
        m_live->replot(QCustomPlot::rpQueuedReplot);
    }
    const WorkloadSpec& s = m_configs.value(index);
    const double done = s.requests ? double(r.requests) / double(s.requests) : 0;
    m_progress->setValue(int(1000 * (index + done) / std::max<qsizetype>(1, m_configs.size())));
    const QLocale locale;
    const double remaining = r.requestsPerSecond > 0 ? double(s.requests - std::min(s.requests, r.requests)) / r.requestsPerSecond : -1;
    m_status->setText(tr("Configuration %1 of %2 (%3): %4 of %5 requests, %6, about %7 left; hit rate %8%")
                          .arg(index + 1)
                          .arg(m_configs.size())
                          .arg(describe(s), locale.toString(qulonglong(r.requests)), locale.toString(qulonglong(s.requests)),
                               formatRate(r.requestsPerSecond, tr("requests"), locale), formatDuration(remaining, locale),
                               locale.toString(100 * r.hitRate, 'f', 1)));
}

void SimulatePanel::onRunFinished(int index, const SimResults& r)
{
    onProgress(index, r);
    m_model->update(index, r, true);
    if (!r.cancelled) ++m_finished;
    // The run's hit rate as a point on the miss-ratio chart, one scatter series per policy.
    const QString policy = QLatin1String(engine::policyName(m_configs.value(index).policy));
    QCPGraph* series = nullptr;
    for (int i = 0; i < m_mrc->graphCount(); ++i)
        if (m_mrc->graph(i)->name() == policy) series = m_mrc->graph(i);
    if (!series && !r.cancelled) {
        series = m_mrc->addGraph();
        series->setName(policy);
        series->setLineStyle(QCPGraph::lsNone);
        series->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(m_mrc->graphCount()), 8));
    }
    if (series && !r.cancelled) {
        series->addData(double(m_configs.value(index).maxEntries), 100 * r.hitRate);
        m_mrc->rescaleAxes();
        m_mrc->yAxis->setRange(0, 100);
        m_mrc->replot(QCustomPlot::rpQueuedReplot);
    }
}

void SimulatePanel::onRunFailed(int index, const QString& error)
{
    ++m_failed;
    m_model->setFailed(index, error);
    showError(tr("Configuration %1 of %2 failed: %3").arg(index + 1).arg(m_configs.size()).arg(error));
}

void SimulatePanel::onAllFinished(bool cancelled)
{
    setRunning(false);
    const QLocale locale;
    const qulonglong requests = m_configs.isEmpty() ? 0 : m_configs.first().requests;
    if (cancelled) {
        m_status->setText(tr("Cancelled: %1 of %2 configurations finished; the interrupted one stopped early (see Results).")
                              .arg(m_finished)
                              .arg(m_configs.size()));
    } else if (m_failed == 0) {
        m_progress->setValue(1000);
        m_status->setText(tr("Ran %1 configuration(s) of %2 requests each.").arg(m_configs.size()).arg(locale.toString(requests)));
    } else {
        showError(tr("%1 of %2 configurations ran; %3 failed (see Results).").arg(m_finished).arg(m_configs.size()).arg(m_failed));
    }
    emit runsFinished(cancelled);
}

void SimulatePanel::onCurve(const engine::sim::Mrc& curve)
{
    QCPGraph* g = m_mrc->addGraph();
    double error = 0;
    for (const auto& p : curve.points) error = std::max(error, p.stdError);
    // Sampled: the rate and the largest standard error of a point (binomial, of the sampled requests).
    g->setName(curve.samplingRate < 1 ? tr("LRU (SHARDS, R = %1, ± %2 points)")
                                            .arg(QLocale().toString(curve.samplingRate), QLocale().toString(100 * error, 'f', 2))
                                      : tr("LRU (exact)"));
    g->setPen(QPen(seriesColor(0), 2));
    for (const auto& p : curve.points) g->addData(double(p.size), 100 * p.hitRatio);
    m_mrc->rescaleAxes();
    m_mrc->yAxis->setRange(0, 100);
    m_mrc->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace cachelens::ui
