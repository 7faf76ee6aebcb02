#pragma once
// DetailFetcher: asks a source for the type, TTL and memory of keys (Source::keyDetails: TYPE and PTTL are keyspace
// lookups on Redis, which the server counts in its hit rate), for two reasons only:
//   - the rows on screen and kDetailMargin rows above and below, as they scroll into view — never a whole namespace
//     behind the user's back; a fast scroll asks once it settles (checkSoon), not for every row that flew by;
//   - every loaded key whose type is unknown while a type filter needs it (after the panel said what that costs).
// The screen goes first; at most kDetailsInFlight requests of kDetailChunk keys are out at once, and a key already
// asked for is not asked again. Replies go into the tree (KeyTreeModel::applyDetails).
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

class QTimer;
class QTreeView;

namespace cachelens {
class Source;
struct KeyBatch;
struct SourceError;
}

namespace cachelens::ui {

class KeyTreeModel;

class DetailFetcher : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDetailChunk = 500;     // keys per keyDetails request
    static constexpr int kDetailsInFlight = 2;
    static constexpr int kDetailMargin = 20;     // rows above and below the screen whose details are asked too

    DetailFetcher(KeyTreeModel* model, QTreeView* view, QObject* parent = nullptr);

    void setSource(Source* source);
    void reset();                                // forgets what is queued and in flight (a new scan)
    void checkSoon();                            // the rows on screen may have changed: look in a moment
    void restartTypeFetch();                     // the type filter changed: from the first unknown type again
    void pump();                                 // sends what is queued, the screen first
    bool isFetching() const;                     // details of rows on screen (or for the type filter) are on the way

Q_SIGNALS:
    void applied();                              // details went into the tree
    void failed(const QString& message);         // a request could not be answered

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fetchVisible();
    void onDetails(const KeyBatch& batch);
    void onError(quint64 requestId, const SourceError& error);
    void settle(quint64 requestId);              // a request is answered: its keys may be asked again

    KeyTreeModel* m_model;
    QTreeView* m_view;
    QPointer<Source> m_source;
    QList<QMetaObject::Connection> m_connections;
    QTimer* m_check;
    QList<QByteArray> m_visibleQueue;            // rows on screen without details, replaced at every check
    QList<QByteArray> m_typeQueue;               // the type filter's background fetch
    quint32 m_typeCursor = 0;
    QHash<quint64, QList<QByteArray>> m_requests;   // in flight, by request id
    QSet<QByteArray> m_asked;                    // keys of the requests in flight
};

} // namespace cachelens::ui
