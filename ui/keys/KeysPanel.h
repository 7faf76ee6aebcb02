#pragma once
// KeysPanel: the namespace browser, value viewer and TTL editor for the selected connection. The widget lays out the
// tree, the filters and the detail tabs and keeps the selection; each concern behind it is its own part:
//   - KeyScan: F5 (or Scan) empties the tree and SCANs with the server-side glob; batches go into KeyTreeModel
//     (adapting the panel's KeyStore) in time-boxed slices;
//   - RowPager and DetailFetcher: big nodes show their rows a page at a time as the view reaches them, and the
//     type/TTL/memory of keys (keyspace lookups on Redis, counted in the server's hit rate) are asked for the rows on
//     screen and a small margin only, never for a whole namespace behind the user's back; a type filter asks for the
//     types of every loaded key in the background, after saying what that costs beyond kAskAboveKeys keys
//     (ReadCostDialog);
//   - KeyOperations: deletions and TTL edits go to the source's guarded calls and change the tree from its answer,
//     with a sentence saying what was done;
//   - MemoryView and KeyStatsView (the Memory tab) measure a namespace, saying its cost first.
// Every request carries an id from nextKeysRequestId(); replies with an id a part does not wait for are ignored.
#include "ui/ConnectionListModel.h"
#include "ui/Panel.h"
#include "ui/keys/KeyStore.h"

#include <QIcon>
#include <QPointer>

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

class DetailFetcher;
class KeyOperations;
class KeyScan;
class KeyTreeModel;
class MemoryView;
class RowPager;
class ValueViewer;

class KeysPanel : public Panel
{
    Q_OBJECT
public:
    static constexpr quint64 kAskAboveKeys = 1000;   // a type filter that must read more keys asks first

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
    bool isScanning() const;
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

private:
    void buildUi();
    void wireParts();
    void onScanStarted(const QByteArray& glob);
    void onScanProgress(quint64 scanned, quint64 estimate);
    void onScanLoaded(const ScanSummary& summary);
    void revealKey();
    void applyTypeFilter(KeyType type);
    void onSelectionChanged();
    void updateActions();
    void setStatus(const QString& text);
    void showProgress();
    QString selectionDescription() const;

    QPointer<Source> m_source;
    ConnectionEntry m_entry;
    KeyStore m_keys;                          // what the scans delivered; m_model adapts it to the tree view
    KeyTreeModel* m_model;
    QTreeView* m_view;
    ValueViewer* m_viewer;
    MemoryView* m_memory;
    KeyScan* m_scan = nullptr;
    RowPager* m_pager = nullptr;
    DetailFetcher* m_details = nullptr;
    KeyOperations* m_operations = nullptr;
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
    QByteArray m_reveal;                      // a key shown while its namespace is still being sorted
    QPointer<QDialog> m_confirm;
};

} // namespace cachelens::ui
