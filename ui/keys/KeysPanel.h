#pragma once
// KeysPanel: the namespace browser, value viewer and TTL editor for the selected connection.
//
// Data flow: F5 (or Scan) clears the tree and asks the source for a SCAN with the server-side glob; keysFound batches
// (thousands of keys, ~10 per second) go straight into KeyTreeModel, which appends rows only under expanded nodes.
// The type/TTL/memory of keys (keyDetails: TYPE and PTTL are keyspace lookups on Redis, which the server counts in
// the hit rate) are asked for the rows on screen and a small margin, as they scroll into view, never for a whole
// namespace behind the user's back. Choosing a type filter asks for the details of every loaded key in the
// background, after saying what that costs when it is more than kAskAboveKeys keys (ReadCostDialog); measuring a
// namespace (MemoryView) says its cost first too. Deletions and TTL edits go to the source
// and update the tree from its answer, with a sentence saying what was done. Every request carries an id from
// nextKeysRequestId(); replies with an id this panel does not wait for are ignored.
#include "ui/ConnectionListModel.h"
#include "ui/Panel.h"
#include "ui/keys/KeyStore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QIcon>
#include <QPointer>

#include <optional>

class QAction;
class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTabWidget;
class QPushButton;
class QTimer;
class QTreeView;

namespace cachelens::ui {

class KeyTreeModel;
class MemoryView;
class ValueViewer;

class KeysPanel : public Panel
{
    Q_OBJECT
public:
    static constexpr int kScanPageSize = 1000;   // SCAN COUNT
    static constexpr int kDetailChunk = 500;     // keys per keyDetails request
    static constexpr int kDetailsInFlight = 2;
    static constexpr int kIngestSliceMs = 8;     // keys go into the tree in slices this long, between other events
    static constexpr int kIngestChunk = 1024;

    explicit KeysPanel(QWidget* parent = nullptr);
    ~KeysPanel() override;

    QString panelId() const override { return QStringLiteral("keys"); }
    QString title() const override { return tr("Keys"); }
    QIcon icon() const override;
    bool canRefresh() const override { return m_source != nullptr; }

    Source* source() const { return m_source; }
    KeyTreeModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    ValueViewer* viewer() const { return m_viewer; }
    MemoryView* memoryView() const { return m_memory; }
    QTabWidget* detailTabs() const { return m_tabs; }
    bool isScanning() const { return m_scanId != 0; }
    static constexpr int kDetailMargin = 20;     // rows above and below the screen whose details are asked too
    static constexpr quint64 kAskAboveKeys = 1000;   // a type filter that must read more keys asks first
    bool isFetchingDetails() const;             // details of rows on screen (or for the type filter) are on the way
    QString progressText() const;
    QString statusText() const;                 // the last operation's sentence
    QAction* deleteAction() const { return m_delete; }
    QAction* ttlAction() const { return m_ttl; }
    QAction* invalidateAction() const { return m_invalidate; }
    QAction* measureAction() const { return m_measure; }
    QList<QByteArray> selectedKeys() const;     // keys selected, and the loaded keys of selected namespaces
    QDialog* pendingConfirmation() const;       // the type filter's question about its cost, while it is open

public Q_SLOTS:
    void setConnection(const cachelens::ui::ConnectionEntry& entry) override;
    void setSource(cachelens::Source* source) override;
    void refresh() override;                    // re-scan
    void startScan();
    void cancelScan();
    void setServerGlob(const QString& glob);    // MATCH; applies on the next scan
    void setClientFilter(const QString& text);
    void setTypeFilter(cachelens::KeyType type);   // may ask first (pendingConfirmation())
    void deleteSelected();                      // confirmation dialog (typed name on production), without a modal loop
    void deleteKeys(const QList<QByteArray>& keys);
    void editTtlOfSelected();                   // TTL dialog, without a modal loop
    void copySelected();                        // exact bytes + escaped text
    void copyPattern();
    void openSelectedInInvalidate();
    void showKey(const QByteArray& key, cachelens::KeyType type);   // select it in the tree, open it in the viewer
    void openKey(const QByteArray& key);        // showKey for a loaded key (Value tab); else says it is not loaded

Q_SIGNALS:
    void openInInvalidate(const QString& sourceId, const QByteArray& glob);
    void scanStarted();
    void scanDone(quint64 total, bool cancelled);
    void operationDone(const QString& summary);
    void detailsApplied();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    enum class OpKind { Delete, Ttl };
    struct Op {
        OpKind kind;
        QList<QByteArray> keys;
        qint64 ttlMs = 0;
    };
    void buildUi();
    void onKeysFound(const KeyBatch& batch);
    void onScanFinished(const ScanSummary& summary);
    void ingest();
    void showMoreRowsInView();
    void finishScan(const ScanSummary& summary);
    void onDetails(const KeyBatch& batch);
    void onKeysChanged(const KeyOpResult& result);
    void onError(quint64 requestId, const SourceError& error);
    void fetchVisibleDetails();
    void pumpDetails();
    void revealKey();
    void applyTypeFilter(KeyType type);
    void onSelectionChanged();
    void updateActions();
    void setStatus(const QString& text);
    QString selectionDescription() const;

    QPointer<Source> m_source;
    QList<QMetaObject::Connection> m_sourceConnections;
    ConnectionEntry m_entry;
    KeyStore m_keys;                          // what the scans delivered; m_model adapts it to the tree view
    KeyTreeModel* m_model;
    QTreeView* m_view;
    ValueViewer* m_viewer;
    MemoryView* m_memory;
    QTabWidget* m_tabs = nullptr;
    QLineEdit* m_glob;
    QLineEdit* m_filter;
    QComboBox* m_type;
    QPushButton* m_scanButton;
    QPushButton* m_cancelButton;
    QLabel* m_progress;
    QProgressBar* m_progressBar;
    QLabel* m_status;
    QLabel* m_readOnlyNote;
    QTimer* m_ttlTick;
    QTimer* m_filterDelay;
    QAction* m_copy;
    QAction* m_copyPattern;
    QAction* m_delete;
    QAction* m_ttl;
    QAction* m_invalidate;
    QAction* m_measure;
    quint64 m_scanId = 0;
    QElapsedTimer m_scanClock;
    quint64 m_scanned = 0;
    quint64 m_estimate = 0;
    // Batches arrive faster than a debug build can index them: they queue here (cheap, implicitly shared) and go
    // into the model in time-boxed slices, so the event loop keeps serving input and paints between slices.
    QList<QVector<KeyEntry>> m_incoming;
    qsizetype m_incomingOffset = 0;           // keys of m_incoming.first() already ingested
    QTimer* m_ingest;
    QTimer* m_pageCheck;
    std::optional<ScanSummary> m_finished;    // the scan's end, reported once m_incoming is drained
    std::optional<std::pair<quint64, bool>> m_doneAfterSort;   // scanDone, due once a sliced sort has finished
    QTimer* m_detailCheck;
    QList<QByteArray> m_visibleQueue;         // rows on screen without details, replaced at every check
    QList<QByteArray> m_typeQueue;            // the type filter's background fetch
    QHash<quint64, QList<QByteArray>> m_detailRequests;   // in flight, by request id
    QSet<QByteArray> m_detailAsked;           // keys of the requests in flight
    QByteArray m_reveal;                      // a key shown while its namespace is still being sorted
    QPointer<QDialog> m_confirm;
    quint32 m_typeCursor = 0;                 // background type fetch for the type filter
    QHash<quint64, Op> m_ops;
};

} // namespace cachelens::ui
