#include "ui/keys/DetailFetcher.h"

#include "connectors/Source.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/RequestIds.h"

#include <QEvent>
#include <QTimer>
#include <QTreeView>

namespace cachelens::ui {

DetailFetcher::DetailFetcher(KeyTreeModel* model, QTreeView* view, QObject* parent)
    : QObject(parent), m_model(model), m_view(view), m_check(new QTimer(this))
{
    qRegisterMetaType<KeyBatch>();
    qRegisterMetaType<SourceError>();
    m_check->setSingleShot(true);
    m_check->setInterval(50);
    connect(m_check, &QTimer::timeout, this, &DetailFetcher::fetchVisible);
    m_view->viewport()->installEventFilter(this);
}

void DetailFetcher::setSource(Source* source)
{
    if (m_source == source)
        return;
    for (const auto& c : std::as_const(m_connections))
        QObject::disconnect(c);
    m_connections.clear();
    m_source = source;
    reset();
    if (source)
        m_connections << connect(source, &Source::keyDetailsReady, this, &DetailFetcher::onDetails)
                      << connect(source, &Source::error, this, &DetailFetcher::onError);
}

void DetailFetcher::reset()
{
    m_visibleQueue.clear();
    m_typeQueue.clear();
    m_typeCursor = 0;
    m_requests.clear();
    m_asked.clear();
}

void DetailFetcher::checkSoon()
{
    if (!m_check->isActive())
        m_check->start();
}

void DetailFetcher::restartTypeFetch()
{
    m_typeCursor = 0;
    m_typeQueue.clear();
    pump();
}

bool DetailFetcher::isFetching() const
{
    return m_check->isActive() || !m_requests.isEmpty() || !m_visibleQueue.isEmpty() || !m_typeQueue.isEmpty();
}

bool DetailFetcher::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && (event->type() == QEvent::Resize || event->type() == QEvent::Show))
        checkSoon();   // more rows may be on screen
    return QObject::eventFilter(watched, event);
}

void DetailFetcher::fetchVisible()
{
    // The rows on screen, and kDetailMargin rows above and below, whose details have not arrived and are not on the
    // way: a scroll of a row or two finds them known already. While a big namespace is sorted in slices the rows on
    // screen are about to change: its end (a layout change) checks again.
    if (m_model->isSorting()) {
        m_visibleQueue.clear();
        return;
    }
    QList<QByteArray> wanted;
    const auto want = [&](const QModelIndex& row) {
        if (!m_model->needsDetails(row))
            return;
        QByteArray key = m_model->keyAt(row);
        if (!m_asked.contains(key))
            wanted.append(std::move(key));
    };
    const QModelIndex top = m_view->indexAt(QPoint(0, 0));
    QModelIndex row = top;
    for (int n = 0; row.isValid() && n < kDetailMargin; ++n) {
        row = m_view->indexAbove(row);
        want(row);
    }
    const int bottom = m_view->viewport()->height();
    row = top;
    int below = 0;
    for (int n = 0; row.isValid() && below < kDetailMargin && n < 1000; ++n, row = m_view->indexBelow(row)) {
        want(row);
        if (m_view->visualRect(row).bottom() >= bottom)
            ++below;
    }
    m_visibleQueue = wanted;   // what scrolled away meanwhile is not asked for any more
    pump();
}

void DetailFetcher::pump()
{
    if (!m_source)
        return;
    while (m_requests.size() < kDetailsInFlight) {
        QList<QByteArray>* queue = &m_visibleQueue;   // the screen first, then the type filter's background fetch
        if (queue->isEmpty()) {
            if (m_typeQueue.isEmpty() && m_model->filterType() != KeyType::Unknown)
                m_typeQueue = m_model->keysWithUnknownType(m_typeCursor, kDetailChunk * 4);
            queue = &m_typeQueue;
        }
        QList<QByteArray> chunk;
        while (!queue->isEmpty() && chunk.size() < kDetailChunk) {
            QByteArray key = queue->takeFirst();
            if (!m_asked.contains(key))
                chunk.append(std::move(key));
        }
        if (chunk.isEmpty()) {
            if (m_visibleQueue.isEmpty() && m_typeQueue.isEmpty())
                return;
            continue;
        }
        const quint64 id = nextKeysRequestId();
        m_requests.insert(id, chunk);
        for (const QByteArray& key : std::as_const(chunk))
            m_asked.insert(key);
        callSource(m_source, [id, chunk](Source* s) { s->keyDetails(id, chunk); });
    }
}

void DetailFetcher::settle(quint64 requestId)
{
    const auto it = m_requests.find(requestId);
    for (const QByteArray& key : std::as_const(*it))
        m_asked.remove(key);
    m_requests.erase(it);
}

void DetailFetcher::onDetails(const KeyBatch& batch)
{
    if (!m_requests.contains(batch.requestId))
        return;
    settle(batch.requestId);
    m_model->applyDetails(batch.keys);
    if (batch.error.isError())
        Q_EMIT failed(batch.error.message);
    pump();
    Q_EMIT applied();
}

void DetailFetcher::onError(quint64 requestId, const SourceError& error)
{
    if (!m_requests.contains(requestId))
        return;
    settle(requestId);
    Q_EMIT failed(error.message);
    pump();
}

} // namespace cachelens::ui
