#pragma once
// Simulate: edit a workload (JSON, with presets), run it against the local engine with a real SQLite database
// behind a cache-aside loader, compare configurations (policies × sizes × TTLs) side by side, watch hit rate live,
// and read LRU's miss-ratio curve with the compared runs on it. Runs happen on worker threads
// (connectors/sim/SimulationRunner, MrcCalculator): the GUI thread only draws.
#include "ui/Panel.h"

#include <cachelens/sim/workload.h>

#include <QIcon>
#include <QList>
#include <QTemporaryDir>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTabWidget;

namespace cachelens::sim {
class MrcCalculator;
class SimulationRunner;
struct TraceRecording;
struct SimTargetSecrets;
} // namespace cachelens::sim

namespace cachelens::engine::sim {
struct SimResults;
struct Mrc;
} // namespace cachelens::engine::sim

namespace cachelens::engine {
class Cache;
}

namespace cachelens::ui {

class RecordTraceDialog;
class SimResultsModel;

class SimulatePanel : public Panel
{
    Q_OBJECT
public:
    explicit SimulatePanel(QWidget* parent = nullptr);
    ~SimulatePanel() override;

    QString panelId() const override { return QStringLiteral("simulate"); }
    QString title() const override { return tr("Simulate"); }
    QIcon icon() const override;

    // The configurations a run would start, or an empty list with `error` set (bad JSON, bad compare lists).
    QList<engine::sim::WorkloadSpec> configurations(QString& error) const;
    bool loadSpecFile(const QString& path);
    bool saveSpecFile(const QString& path);
    bool isRunning() const;

    QPlainTextEdit* editor() const { return m_editor; }
    QComboBox* presets() const { return m_presets; }
    // Where the runs go: "Local engine" or a saved connection (item data: "local" or the connection's name).
    QComboBox* targets() const { return m_target; }
    QLineEdit* targetConfirmation() const { return m_targetConfirm; }
    void reloadTargets();
    QLineEdit* comparePolicies() const { return m_policies; }
    QLineEdit* compareSizes() const { return m_sizes; }
    QLineEdit* compareTtls() const { return m_ttls; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QLabel* statusLabel() const { return m_status; }
    QPushButton* recordButton() const { return m_recordButton; }
    // The Record… dialog (created on first use).
    RecordTraceDialog* recordDialog();
    // The GUI's embedded engine, whose access tap Record… can record.
    void setLocalEngine(std::shared_ptr<engine::Cache> cache);
    SimResultsModel* resultsModel() const { return m_model; }
    QCustomPlot* liveChart() const { return m_live; }
    QCustomPlot* mrcChart() const { return m_mrc; }

public Q_SLOTS:
    void run();
    void cancel();
    void applyPreset(int index);
    void openRecordDialog();
    // Puts a recorded trace in the editor as a `trace` workload (the other fields kept); a local recording also
    // brings the recorded engine's policy and size, so a run compares with what the engine did live.
    void useTrace(const cachelens::sim::TraceRecording& recording);

Q_SIGNALS:
    void runsFinished(bool cancelled);

private:
    void buildUi();
    void startRuns(const QList<engine::sim::WorkloadSpec>& configs, const cachelens::Confirmation& confirmation,
                   const sim::SimTargetSecrets& secrets);
    void onProgress(int index, const engine::sim::SimResults& r);
    void onRunFinished(int index, const engine::sim::SimResults& r);
    void onRunFailed(int index, const QString& error);
    void onAllFinished(bool cancelled);
    void onPhase(int index, const QString& text);
    void onCurve(const engine::sim::Mrc& curve);
    void setRunning(bool running);
    void showError(const QString& message);
    static QString describe(const engine::sim::WorkloadSpec& s);

    QComboBox* m_presets = nullptr;
    QComboBox* m_target = nullptr;
    QLineEdit* m_targetConfirm = nullptr; // typed name of a read-only/production target
    QLabel* m_targetNote = nullptr;
    void targetChanged();
    QPlainTextEdit* m_editor = nullptr;
    QLineEdit* m_policies = nullptr;
    QLineEdit* m_sizes = nullptr;
    QLineEdit* m_ttls = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_load = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_recordButton = nullptr;
    RecordTraceDialog* m_recordDialog = nullptr;
    std::shared_ptr<engine::Cache> m_localEngine;
    quint64 m_runRequest = 0;   // bumped per Run and Cancel: a keychain answer for an older Run is dropped
    bool m_starting = false;    // waiting for the keychain before a run
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QTabWidget* m_tabs = nullptr;
    QCustomPlot* m_live = nullptr;
    QCustomPlot* m_mrc = nullptr;
    QTableView* m_table = nullptr;
    SimResultsModel* m_model = nullptr;
    sim::SimulationRunner* m_runner = nullptr;
    sim::MrcCalculator* m_curve = nullptr;
    QList<engine::sim::WorkloadSpec> m_configs;
    int m_finished = 0, m_failed = 0;
    QTemporaryDir m_workDir;
};

} // namespace cachelens::ui
