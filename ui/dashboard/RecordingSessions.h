#pragma once
// RecordingSessions: earlier recordings in history.db (a recording ends where a connection was not watched for five
// minutes) — listed in the sessions dialog, opened on the charts beside the live sources (replayed by SourceSampler,
// framed and paused), or two compared side by side (MarkerPane's table).
#include "connectors/history/HistoryStore.h"

#include <QObject>

class QWidget;

namespace cachelens {
class HistoryService;
}

namespace cachelens::ui {

class MarkerPane;
class RecordingListModel;
class SourceSampler;

class RecordingSessions : public QObject
{
    Q_OBJECT
public:
    // Dialogs open over `dialogParent`, which also owns this object; history: nullptr when none is kept.
    RecordingSessions(SourceSampler& sampler, MarkerPane& markers, HistoryService* history, QWidget* dialogParent);

    RecordingListModel* model() const { return m_model; }
    QStringList openIds() const;                   // series ids of the opened recordings

    void load();                                   // → loaded(); fills model()
    QString open(const HistoryStore::Recording& recording);   // its series id; empty without a history
    void compare(const HistoryStore::Recording& a, const HistoryStore::Recording& b);
    void close();                                  // → closed()
    void showDialog(int retentionDays);            // without a modal loop

    static QString title(const HistoryStore::Recording& recording);   // "prod-cache, 3/4/25 14:02"

Q_SIGNALS:
    void loaded();
    void framed(double from, double to);           // an opened recording: look at this range, paused
    void closed();
    void problem(const QString& sentence);

private:
    SourceSampler& m_sampler;
    MarkerPane& m_markers;
    HistoryService* m_history;
    QWidget* m_dialogParent;
    RecordingListModel* m_model;
    quint64 m_request = 0;
    quint64 m_nextRequest = 1;
};

} // namespace cachelens::ui
