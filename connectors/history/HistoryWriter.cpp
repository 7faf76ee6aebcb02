#include "connectors/history/HistoryWriter.h"

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

void HistoryWriter::setSourceName(const QString& sourceId, const QString& name)
{
    if (m_store && !m_store->setSourceName(sourceId, name))
        Q_EMIT failed(m_store->errorString());
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
    : QObject(parent), m_path(path), m_writer(new HistoryWriter(path)), m_worker(QStringLiteral("history"))
{
    qRegisterMetaType<StatsSample>();
    qRegisterMetaType<HistoryMarker>();
    qRegisterMetaType<QVector<StatsSample>>();
    qRegisterMetaType<QVector<HistoryMarker>>();
    qRegisterMetaType<QVector<HistoryStore::Recording>>();
    m_worker.adopt(m_writer);
    // The writer's answers (emitted on the worker) are copied into replies there and re-emitted here.
    connect(m_writer, &HistoryWriter::opened, m_writer, [this](bool ok, const QString& error) {
        m_worker.reply([this, ok, error] { Q_EMIT opened(ok, error); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::failed, m_writer, [this](const QString& error) {
        m_worker.reply([this, error] { Q_EMIT failed(error); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::markerStored, m_writer, [this](quint64 id, const HistoryMarker& marker) {
        m_worker.reply([this, id, marker] { Q_EMIT markerStored(id, marker); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::loaded, m_writer,
            [this](quint64 id, const QVector<StatsSample>& samples, const QVector<HistoryMarker>& markers) {
                m_worker.reply([this, id, samples, markers] { Q_EMIT loaded(id, samples, markers); });
            }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::recordingsLoaded, m_writer,
            [this](quint64 id, const QVector<HistoryStore::Recording>& recordings) {
                m_worker.reply([this, id, recordings] { Q_EMIT recordingsLoaded(id, recordings); });
            }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::flushed, m_writer, [this](int samples) {
        m_worker.reply([this, samples] { Q_EMIT flushed(samples); });
    }, Qt::DirectConnection);
    m_worker.post([w = m_writer] { w->open(); });
}

HistoryService::~HistoryService()
{
    // Everything asked before this (open, samples, markers) still runs, in order, then the file is flushed and
    // closed; m_worker's destructor waits for that. Answers not yet delivered are dropped with the service.
    m_worker.post([w = m_writer] { w->close(); });
}

void HistoryService::addSample(const StatsSample& sample)
{
    m_worker.post([w = m_writer, sample] { w->addSample(sample); });
}

void HistoryService::addMarker(quint64 requestId, const HistoryMarker& marker)
{
    m_worker.post([w = m_writer, requestId, marker] { w->addMarker(requestId, marker); });
}

void HistoryService::load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    m_worker.post([w = m_writer, requestId, sourceId, from, to] { w->load(requestId, sourceId, from, to); });
}

void HistoryService::loadRecordings(quint64 requestId)
{
    m_worker.post([w = m_writer, requestId] { w->loadRecordings(requestId); });
}

void HistoryService::setSourceName(const QString& sourceId, const QString& name)
{
    m_worker.post([w = m_writer, sourceId, name] { w->setSourceName(sourceId, name); });
}

void HistoryService::setRetentionDays(int days)
{
    m_worker.post([w = m_writer, days] { w->setRetentionDays(days); });
}

} // namespace cachelens
