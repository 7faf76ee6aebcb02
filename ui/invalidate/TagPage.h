#pragma once
// The Invalidate panel's "By tag" page: lists the source's tags with their key counts (on Redis, the cache provider's
// tag sets under an application's key prefix), previews a tag's members, and invalidates the checked tags — dry run
// first, confirmation (typed name on production), disabled on read-only connections with the reason. Requests go to
// the Source on its thread; the page shows their answers.
#include "connectors/SourceTypes.h"
#include "connectors/guard/ChangeGuard.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class ConfirmPurgeDialog;
class TagListModel;

class TagPage : public QWidget
{
    Q_OBJECT
public:
    explicit TagPage(QWidget* parent = nullptr);
    ~TagPage() override;

    void setSource(Source* source, bool local);
    void setConnection(const QString& name, bool production, bool readOnly);

    QLineEdit* prefixEdit() const { return m_prefix; }
    QPushButton* listButton() const { return m_list; }
    QTableView* view() const { return m_view; }
    TagListModel* model() const { return m_model; }
    QListWidget* memberList() const { return m_members; }
    QLabel* memberLabel() const { return m_memberText; }
    QPushButton* dryRunButton() const { return m_dryRun; }
    QPushButton* invalidateButton() const { return m_invalidate; }
    QPushButton* cancelButton() const { return m_cancel; }
    QLabel* resultLabel() const { return m_result; }
    QLabel* reasonLabel() const { return m_reason; }
    ConfirmPurgeDialog* pendingConfirmation() const { return m_confirm.data(); }

public Q_SLOTS:
    void listTags();
    void startDryRun();
    void askToInvalidate();
    void cancelRunning();

Q_SIGNALS:
    void invalidated();             // a real run ended (the audit log has a new row)

private:
    void requestTags(bool quiet);
    void updateActions();
    void preview(const QModelIndex& current);
    void start(bool dryRun, const cachelens::Confirmation& confirmation = {});
    void onListed(const cachelens::TagList& list);
    void onMembers(const cachelens::TagMembers& members);
    void onProgress(const cachelens::InvalidationProgress& progress);
    void onFinished(const cachelens::InvalidationReport& report);
    quint64 nextId();

    QPointer<Source> m_source;
    bool m_local = false;
    QString m_connectionName;
    bool m_production = false;
    bool m_readOnly = false;
    quint64 m_nextId = 0;
    quint64 m_listing = 0;
    bool m_quietListing = false;
    quint64 m_previewing = 0;
    quint64 m_running = 0;
    bool m_runningDry = false;
    QList<QByteArray> m_dryTags;    // tags of the last dry run (a real run needs one on the same selection)
    quint64 m_dryMatched = 0;

    QLineEdit* m_prefix;
    QPushButton* m_list;
    TagListModel* m_model;
    QTableView* m_view;
    QListWidget* m_members;
    QLabel* m_memberText;
    QPushButton* m_dryRun;
    QPushButton* m_invalidate;
    QPushButton* m_cancel;
    QLabel* m_reason;
    QProgressBar* m_progress;
    QLabel* m_result;
    QPointer<ConfirmPurgeDialog> m_confirm;
};

} // namespace cachelens::ui
