#pragma once
// KeyStatsView: a ranking of the loaded keys read through Source::keyStats, in one of two modes —
//   - Elements: the biggest keys by element count per type (HLEN/LLEN/SCARD/ZCARD/XLEN, STRLEN), like
//     `redis-cli --bigkeys` but browsable: the kPerType largest of every type, and a per-type summary;
//   - Frequency: hot keys by access frequency (Redis OBJECT FREQ under an LFU policy, the engine's W-TinyLFU sketch),
//     the kHot most frequent; where the source keeps no frequency, the reason instead (asked as soon as a source is
//     set, so the tab says why before anyone presses a button).
// The keys read are every loaded key or a random sample of the keys in the tree; they go to the source in pipelined
// chunks, a few in flight, with a progress line (count, rate, ETA), Cancel, and a closing sentence. Selecting a row
// emits keySelected (the panel shows it in the tree and the value viewer); activating it (double-click, Enter) emits
// keyActivated.
#include "connectors/SourceTypes.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <map>
#include <vector>

class QComboBox;
class QDialog;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class KeyTreeModel;

class KeyStatsView : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Elements, Frequency };
    enum Column { KeyColumn, TypeColumn, ValueColumn, ColumnCount };
    static constexpr int kChunk = 1000;      // keys per keyStats request
    static constexpr int kInFlight = 3;
    static constexpr int kPerType = 10;      // Elements: rows kept per type
    static constexpr int kHot = 100;         // Frequency: rows kept

    KeyStatsView(Mode mode, KeyTreeModel* model, QWidget* parent = nullptr);

    Mode mode() const { return m_mode; }
    void setSource(Source* source);
    bool isBusy() const { return m_running; }
    QStandardItemModel* resultModel() const { return m_results; }
    QTableView* resultView() const { return m_view; }
    QString statusText() const;
    QString noteText() const;                 // Frequency: what the number means, or why there is none
    const FrequencySupport& frequencySupport() const { return m_support; }
    void setSampleSize(int keys);             // 0: every loaded key

    // The question the Start button opened (what the reads cost the server), until it is answered; null when the
    // source's reads cost it nothing (the local engine) or nothing was asked.
    QDialog* pendingConfirmation() const;

public Q_SLOTS:
    void ask();      // the Start button: says the cost first where the reads cost the server something, then start()
    void start();
    void cancel();

Q_SIGNALS:
    void keySelected(const QByteArray& key, cachelens::KeyType type);
    void keyActivated(const QByteArray& key, cachelens::KeyType type);
    void finished();

private:
    struct Ranked {
        QByteArray key;
        KeyType type = KeyType::Unknown;
        qint64 value = 0;
    };
    struct TypeTotals {
        quint64 keys = 0;
        qint64 elements = 0;
    };
    void keep(Ranked ranked);
    void probe();
    void pump();
    quint64 keysToRead() const;
    DetailCost cost() const;
    void onStats(const KeyStatsBatch& batch);
    void onError(quint64 requestId, const SourceError& error);
    void complete();
    void fill();
    void setSupport(const FrequencySupport& support);
    void setStatus(const QString& text);
    void showProgress();
    QByteArray keyOfRow(int row) const;
    static QString unitFor(KeyType type, qint64 n);

    const Mode m_mode;
    KeyTreeModel* m_model;
    QPointer<Source> m_source;
    QPointer<QDialog> m_confirm;
    QList<QMetaObject::Connection> m_connections;
    FrequencySupport m_support;
    quint64 m_probeId = 0;
    bool m_running = false;
    bool m_cancelled = false;
    bool m_stopped = false;                   // frequency refused, or an error: no more requests
    QString m_stopReason;
    int m_sampleSize = 0;
    QList<QByteArray> m_queue;                // sample mode: what is still to send
    quint32 m_cursor = 0;                     // all-keys mode: next key number
    QSet<quint64> m_ids;
    quint64 m_read = 0;
    quint64 m_toRead = 0;
    QElapsedTimer m_clock;
    ProgressMeter m_progress;
    std::map<KeyType, std::vector<Ranked>> m_best;   // Elements: per type; Frequency: all under Unknown
    std::map<KeyType, TypeTotals> m_totals;
    QStandardItemModel* m_results;
    QTableView* m_view;
    QComboBox* m_sample;
    QPushButton* m_start;
    QPushButton* m_cancel;
    QLabel* m_status;
    QLabel* m_note;
};

} // namespace cachelens::ui
