#include "connectors/history/HistoryWriter.h"

#include <QThread>
#include <QTimer>

namespace cachelens {

HistoryWriter::HistoryWriter(QString path, QObject* parent) : QObject(parent), m_path(std::move(path)) {}

HistoryWriter::~HistoryWriter()
{
    close();
}

void HistoryWriter::open()
{
    m_store = std::make_unique<HistoryStore>();
    if (!m_store->open(m_path)) {
        const QString error = m_store->errorString();
        m_store.reset();
        Q_EMIT opened(false, error);
        return;
    }
    // Timers are created here, on the worker thread, so they fire there.
    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushMs);
    connect(m_flushTimer, &QTimer::timeout, this, &HistoryWriter::flush);
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(3600 * 1000);
    connect(m_retentionTimer, &QTimer::timeout, this, &HistoryWriter::applyRetention);
    m_retentionTimer->start();
    applyRetention();
    Q_EMIT opened(true, QString());
}

void HistoryWriter::addSample(const StatsSample& sample)
{
    if (!m_store)
        return;
    m_pending.append(sample);
    if (m_pending.size() >= kMaxBatch)
        flush();
    else if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void HistoryWriter::addMarker(quint64 requestId, const HistoryMarker& marker)
{
    if (!m_store)
        return;
    HistoryMarker stored = marker;
    stored.id = m_store->addMarker(marker);
    if (stored.id == 0)
        Q_EMIT failed(m_store->errorString());
    else
        Q_EMIT markerStored(requestId, stored);
}

void HistoryWriter::load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    if (!m_store) {
        Q_EMIT loaded(requestId, {}, {});
        return;
    }
    flush();   // a read sees everything written before it was asked for
    Q_EMIT loaded(requestId, m_store->samples(sourceId, from, to), m_store->markers(from, to));
}

void HistoryWriter::loadRecordings(quint64 requestId)
{
    if (m_store)
        flush();
    Q_EMIT recordingsLoaded(requestId, m_store ? m_store->recordings() : QVector<HistoryStore::Recording>());
}

void HistoryWriter::setRetentionDays(int days)
{
    m_retentionDays = qMax(1, days);
    applyRetention();
}

void HistoryWriter::applyRetention()
{
    if (m_store && m_store->removeBefore(QDateTime::currentDateTimeUtc().addDays(-m_retentionDays)) < 0)
        Q_EMIT failed(m_store->errorString());
}

void HistoryWriter::flush()
{
    if (m_flushTimer)
        m_flushTimer->stop();
    if (!m_store || m_pending.isEmpty())
        return;
    const int count = int(m_pending.size());
    if (!m_store->appendSamples(m_pending)) {
        // Report once, not every two seconds; the samples are dropped rather than piling up in memory.
        if (!m_reportedFailure)
            Q_EMIT failed(m_store->errorString());
        m_reportedFailure = true;
        m_pending.clear();
        return;
    }
    m_reportedFailure = false;
    m_pending.clear();
    Q_EMIT flushed(count);
}

void HistoryWriter::close()
{
    flush();
    m_store.reset();
}

HistoryService::HistoryService(const QString& path, QObject* parent)
    : QObject(parent), m_path(path), m_thread(new QThread(this)), m_writer(new HistoryWriter(path))
{
    qRegisterMetaType<StatsSample>();
    qRegisterMetaType<HistoryMarker>();
    qRegisterMetaType<QVector<StatsSample>>();
    qRegisterMetaType<QVector<HistoryMarker>>();
    qRegisterMetaType<QVector<HistoryStore::Recording>>();
    m_thread->setObjectName(QStringLiteral("history"));
    m_writer->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    // Signal to signal across threads: queued, re-emitted here on the owner's thread.
    connect(m_writer, &HistoryWriter::opened, this, &HistoryService::opened);
    connect(m_writer, &HistoryWriter::failed, this, &HistoryService::failed);
    connect(m_writer, &HistoryWriter::markerStored, this, &HistoryService::markerStored);
    connect(m_writer, &HistoryWriter::loaded, this, &HistoryService::loaded);
    connect(m_writer, &HistoryWriter::recordingsLoaded, this, &HistoryService::recordingsLoaded);
    connect(m_writer, &HistoryWriter::flushed, this, &HistoryService::flushed);
    m_thread->start();
    QMetaObject::invokeMethod(m_writer, &HistoryWriter::open, Qt::QueuedConnection);
}

HistoryService::~HistoryService()
{
    // quit() from outside would end the worker's loop with requests still queued (open, samples, markers):
    // quitting from the last queued call runs everything asked before it, in order.
    QMetaObject::invokeMethod(m_writer, [w = m_writer, t = m_thread] {
        w->close();
        t->quit();
    }, Qt::QueuedConnection);
    m_thread->wait();
}

// Qt 6.4 has no invokeMethod with arguments for member pointers; a functor runs on the context object's thread.
void HistoryService::addSample(const StatsSample& sample)
{
    QMetaObject::invokeMethod(m_writer, [w = m_writer, sample] { w->addSample(sample); }, Qt::QueuedConnection);
}

void HistoryService::addMarker(quint64 requestId, const HistoryMarker& marker)
{
    QMetaObject::invokeMethod(m_writer, [w = m_writer, requestId, marker] { w->addMarker(requestId, marker); },
                              Qt::QueuedConnection);
}

void HistoryService::load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    QMetaObject::invokeMethod(m_writer, [w = m_writer, requestId, sourceId, from, to] {
        w->load(requestId, sourceId, from, to);
    }, Qt::QueuedConnection);
}

void HistoryService::loadRecordings(quint64 requestId)
{
    QMetaObject::invokeMethod(m_writer, [w = m_writer, requestId] { w->loadRecordings(requestId); },
                              Qt::QueuedConnection);
}

void HistoryService::setRetentionDays(int days)
{
    QMetaObject::invokeMethod(m_writer, [w = m_writer, days] { w->setRetentionDays(days); }, Qt::QueuedConnection);
}

} // namespace cachelens
