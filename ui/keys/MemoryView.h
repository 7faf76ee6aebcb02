#pragma once
// MemoryView: where the memory goes, from the keys the Keys panel has loaded.
//   - by namespace: the children of the selected namespace (or the top level), each estimated from a random sample
//     of its keys (MEMORY USAGE through Source::keyDetails): estimate = mean × keys, with the sample size and a 95 %
//     bound (normal approximation with finite-population correction); "Exact" measures every key of one row.
//     Biggest first.
//   - measuring every key of a namespace ("Exact", the tree's Measure Memory) or every loaded key (big keys) first says
//     what it costs the server (keys, commands, keyspace lookups its hit rate counts) and runs only once confirmed;
//     it shows progress (count, rate, time left), can be cancelled, and ends with what it did;
//   - big keys: measures every loaded key whose size is unknown (in the background, cancellable) and lists the
//     largest by memory; beside it the biggest by element count and the hot keys (KeyStatsView). Every list is
//     browsable: selecting a row emits keySelected, activating it keyActivated.
// On the local engine the figures are the engine's own accounting (value + key bytes), so samples are exact per key.
#include "connectors/SourceTypes.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QModelIndex>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <functional>

class QDialog;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class KeyStatsView;
class KeyTreeModel;

class MemoryView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kSamplePerNamespace = 100;
    static constexpr int kDetailChunk = 500;
    static constexpr int kBigKeys = 100;
    enum NamespaceColumn { NsName, NsKeys, NsSampled, NsMemory, NsBound, NsColumns };

    MemoryView(KeyTreeModel* model, QWidget* parent = nullptr);

    void setSource(Source* source);
    // What "Estimate" breaks down: the panel's selected namespace (invalid: the top level).
    std::function<QModelIndex()> currentNamespace;
    bool isBusy() const { return m_job != Job::None; }
    QStandardItemModel* namespaceModel() const { return m_nsModel; }
    QStandardItemModel* bigKeysModel() const { return m_bigModel; }
    QString statusText() const;
    QString hotKeysText() const;                         // why hot keys are unavailable, or what they show
    KeyStatsView* elementsView() const { return m_elements; }
    KeyStatsView* hotKeysView() const { return m_hotKeys; }
    // The question a whole-namespace measurement asks before it runs (accept() runs it); null when none is open.
    QDialog* pendingConfirmation() const;
    QTableView* bigKeysView() const { return m_bigView; }

public Q_SLOTS:
    void estimate(const QModelIndex& parentNamespace);   // invalid: the top level
    // The three below measure many keys: each asks first (pendingConfirmation()) and runs once confirmed.
    void exact(int row);                                 // row of namespaceModel()
    // Measures every key of a tree namespace (on demand, from the tree's context menu): its row in the table
    // becomes exact, and the tree shows the namespace's memory.
    void measure(const QModelIndex& ns);
    void findBigKeys();
    void cancel();

Q_SIGNALS:
    void finished();
    void keySelected(const QByteArray& key, cachelens::KeyType type);
    void keyActivated(const QByteArray& key, cachelens::KeyType type);

private:
    enum class Job { None, Estimate, Exact, BigKeys };
    struct Row {
        QString name;
        QByteArray pattern;
        quint64 keys = 0;
        QList<QByteArray> sample;   // the keys measured (all of them when exact)
        bool exact = false;
    };
    // Opens the question "<what> <cost of measuring `keys` keys>"; `run` runs if it is confirmed.
    void confirmThen(quint64 keys, const QString& what, std::function<void()> run);
    QString doneCostText() const;               // " with 900 commands, 600 of them keyspace lookups"
    void startExact(const QModelIndex& ns);
    void request(const QList<QByteArray>& keys);
    void pump();
    void onDetails(const KeyBatch& batch);
    void onError(quint64 requestId, const SourceError& error);
    void complete();
    void fillNamespaces();
    void fillBigKeys();
    void setStatus(const QString& text);

    KeyTreeModel* m_model;
    QPointer<Source> m_source;
    QList<QMetaObject::Connection> m_connections;
    Job m_job = Job::None;
    QVector<Row> m_rows;
    int m_exactRow = -1;
    QList<QByteArray> m_queue;
    QSet<quint64> m_ids;
    quint32 m_cursor = 0;
    quint64 m_measured = 0;
    quint64 m_toMeasure = 0;
    bool m_cancelled = false;
    QElapsedTimer m_clock;
    ProgressMeter m_progress;
    QPointer<QDialog> m_confirm;
    QStandardItemModel* m_nsModel;
    QStandardItemModel* m_bigModel;
    QTableView* m_nsView;
    QTableView* m_bigView;
    QLabel* m_status;
    KeyStatsView* m_elements;
    KeyStatsView* m_hotKeys;
    QPushButton* m_estimate;
    QPushButton* m_exactButton;
    QPushButton* m_big;
    QPushButton* m_cancel;
};

} // namespace cachelens::ui
