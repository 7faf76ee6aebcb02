#pragma once
// Simulate ▸ Record…: records a trace from the local engine's access tap or from a saved Redis connection with
// MONITOR (its cost stated, production connections only after their name is typed, passwords from the keychain),
// bounded by seconds and/or requests, with progress, Stop and a closing sentence; then offers the file as a
// `trace` workload (useTrace). Non-modal: the recording runs on connectors/sim/TraceRecorder's thread.
#include "connectors/sim/TraceRecorder.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace cachelens::engine {
class Cache;
}

namespace cachelens::ui {

class RecordTraceDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RecordTraceDialog(QWidget* parent = nullptr);
    ~RecordTraceDialog() override;

    // The GUI's embedded engine ("Local engine" in the sidebar); without one that source is disabled.
    void setLocalEngine(std::shared_ptr<engine::Cache> cache);
    void reloadSources();
    bool isRecording() const;
    // The last recording (saved or not), for the panel and tests.
    const sim::TraceRecording& lastRecording() const { return m_last; }

    QComboBox* sources() const { return m_source; }      // item data: "local" or a saved connection's name
    QDoubleSpinBox* seconds() const { return m_seconds; }
    QSpinBox* maxRequests() const { return m_maxRequests; } // 0 = no limit
    QComboBox* formats() const { return m_format; }      // item data: "u64le" or "text"
    QLineEdit* path() const { return m_path; }           // empty: a new file under the data directory's traces/
    QLineEdit* confirmation() const { return m_confirm; }
    QLabel* note() const { return m_note; }
    QLabel* status() const { return m_status; }
    QPushButton* recordButton() const { return m_record; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* useButton() const { return m_use; }

public Q_SLOTS:
    void record();
    void stop();

Q_SIGNALS:
    void recordingFinished(const cachelens::sim::TraceRecording& recording);
    // "Use as Workload": replay the recorded file as a `trace` workload.
    void useTrace(const cachelens::sim::TraceRecording& recording);

private:
    void sourceChanged();
    void onProgress(quint64 requests, double seconds);
    void onFinished(const sim::TraceRecording& r);
    void start(sim::TraceRecordJob job);
    void setRecording(bool on);
    void showError(const QString& message);
    QString defaultPath(const QString& source) const;

    std::shared_ptr<engine::Cache> m_cache;
    sim::TraceRecorder* m_recorder;
    sim::TraceRecording m_last;
    quint64 m_request = 0;      // bumped per Record and per Stop: a keychain answer for an older one is dropped
    QComboBox* m_source = nullptr;
    QDoubleSpinBox* m_seconds = nullptr;
    QSpinBox* m_maxRequests = nullptr;
    QComboBox* m_format = nullptr;
    QLineEdit* m_path = nullptr;
    QLineEdit* m_confirm = nullptr;
    QLabel* m_note = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_record = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_use = nullptr;
    QPushButton* m_browse = nullptr;
};

} // namespace cachelens::ui
