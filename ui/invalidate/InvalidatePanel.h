#pragma once
// The Invalidate panel: purge by Redis glob (live validation, dry run with impact forecast and sample, progress with
// keys/s and ETA, cancel, throttle, new-key policy, expire-with-jitter, snapshot for undo on Redis) or by tag, with
// confirmation (typed name on production connections), disabled on read-only ones, "Snapshots…" to restore or
// delete earlier snapshots, and the Audit view of every destructive action. All work is done by the Source on its
// thread; the panel only sends requests and shows their reports.
#include "connectors/guard/ChangeGuard.h"
#include "ui/Panel.h"

#include <QPointer>

#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace cachelens::ui {

class AuditView;
class ConfirmPurgeDialog;
class SnapshotsDialog;
class TagPage;

class InvalidatePanel : public Panel
{
    Q_OBJECT
public:
    explicit InvalidatePanel(QWidget* parent = nullptr);
    ~InvalidatePanel() override;

    QString panelId() const override { return QStringLiteral("invalidate"); }
    QString title() const override { return tr("Invalidate"); }
    QIcon icon() const override;

    void setSnapshotDirectory(const QString& directory);   // tests; default SnapshotFile::defaultDirectory()

    // For tests and for the lead's wiring.
    QLineEdit* patternEdit() const { return m_pattern; }
    QLabel* validationLabel() const { return m_validation; }
    QPushButton* dryRunButton() const { return m_dryRun; }
    QPushButton* purgeButton() const { return m_purge; }
    QPushButton* cancelButton() const { return m_cancel; }
    QSpinBox* rateSpin() const { return m_rate; }
    QSpinBox* jitterSpin() const { return m_jitter; }
    QCheckBox* includeNewKeysCheck() const { return m_includeNew; }
    QCheckBox* snapshotCheck() const { return m_snapshot; }
    QSpinBox* snapshotLimitSpin() const { return m_snapshotLimit; }   // MiB
    QPushButton* snapshotsButton() const { return m_snapshots; }
    SnapshotsDialog* snapshotsDialog() const;   // once opened
    TagPage* tagPage() const { return m_tagPage; }
    QPushButton* resumeButton() const { return m_resume; }
    QLabel* forecastLabel() const { return m_forecast; }
    QLabel* progressLabel() const { return m_progressText; }
    QLabel* resultLabel() const { return m_result; }
    QLabel* reasonLabel() const { return m_reason; }
    QListWidget* sampleList() const { return m_sample; }
    QProgressBar* progressBar() const { return m_progress; }
    AuditView* auditView() const { return m_audit; }
    ConfirmPurgeDialog* pendingConfirmation() const;   // the open confirmation dialog, if any

public Q_SLOTS:
    void setConnection(const cachelens::ui::ConnectionEntry& entry) override;
    void setSource(cachelens::Source* source) override;
    // From the Keys panel: "open this namespace in the Invalidate panel" — fills the pattern and runs a dry run
    // when `sourceId` is the current source.
    void openPattern(const QString& sourceId, const QByteArray& glob);
    void startDryRun();
    void askToPurge();                          // confirmation first; the purge starts when it is accepted
    void cancelRunning();
    // After an interrupted purge: continues from the cursors it saved; the report counts both parts.
    void resumePurge();
    void showSnapshots();                       // the "Snapshots…" dialog (list, restore, delete)

private:
    void validate();
    void updateActions();
    void start(bool dryRun, const QList<QPair<QString, QByteArray>>& resumeCursors = {},
               const QString& snapshotPath = {}, const cachelens::Confirmation& confirmation = {});
    void onProgress(const cachelens::InvalidationProgress& progress);
    void onFinished(const cachelens::InvalidationReport& report);

    QPointer<Source> m_source;
    QString m_connectionName;
    bool m_production = false;
    bool m_readOnly = false;
    bool m_connected = true;        // the source's last reported state was Ready (assumed until it says otherwise)
    QString m_connectionDetail;
    bool m_local = false;
    quint64 m_nextId = 0;
    quint64 m_running = 0;          // request id in flight; 0 none
    bool m_runningDry = false;
    QByteArray m_dryGlob;           // pattern of the last successful dry run (purge needs one)
    quint64 m_dryMatched = 0;
    QString m_snapshotDirectory;
    // An interrupted purge that can be resumed: its pattern, cursors, snapshot file and what it had done.
    struct Interrupted {
        QByteArray glob;
        QList<QPair<QString, QByteArray>> cursors;
        InvalidationReport::EarlierPart done;   // added to the resumed run's report
        QString snapshotPath;       // the resumed run appends to it
    };
    std::optional<Interrupted> m_interrupted;
    std::optional<Interrupted> m_resuming;     // the earlier part of the run in flight

    QTabWidget* m_tabs;
    QLineEdit* m_pattern;
    QLabel* m_validation;
    QSpinBox* m_rate;
    QSpinBox* m_jitter;
    QCheckBox* m_includeNew;
    QCheckBox* m_snapshot;
    QSpinBox* m_snapshotLimit;
    QPushButton* m_snapshots;
    QPointer<SnapshotsDialog> m_snapshotsDialog;
    QPushButton* m_dryRun;
    QPushButton* m_purge;
    QPushButton* m_cancel;
    QLabel* m_reason;
    QLabel* m_forecast;
    QListWidget* m_sample;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_result;
    QPushButton* m_resume;
    TagPage* m_tagPage;
    AuditView* m_audit;
    QPointer<ConfirmPurgeDialog> m_confirm;
};

} // namespace cachelens::ui
