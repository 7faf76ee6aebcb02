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

MailboxDrainer::MailboxDrainer(std::function<void()> drain) : m_drain(std::move(drain)) {}

void MailboxDrainer::drain() { m_drain(); }

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
    m_requestDrainer = new MailboxDrainer([this] { drain(m_mailboxMutex, m_requests); });
    m_requestDrainer->moveToThread(m_thread);   // deleted by ~HistoryService once the worker has stopped
    // The writer's answers (emitted on the worker) are copied into closures there and re-emitted here.
    connect(m_writer, &HistoryWriter::opened, m_writer, [this](bool ok, const QString& error) {
        postAnswer([this, ok, error] { Q_EMIT opened(ok, error); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::failed, m_writer, [this](const QString& error) {
        postAnswer([this, error] { Q_EMIT failed(error); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::markerStored, m_writer, [this](quint64 id, const HistoryMarker& marker) {
        postAnswer([this, id, marker] { Q_EMIT markerStored(id, marker); });
    }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::loaded, m_writer,
            [this](quint64 id, const QVector<StatsSample>& samples, const QVector<HistoryMarker>& markers) {
                postAnswer([this, id, samples, markers] { Q_EMIT loaded(id, samples, markers); });
            }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::recordingsLoaded, m_writer,
            [this](quint64 id, const QVector<HistoryStore::Recording>& recordings) {
                postAnswer([this, id, recordings] { Q_EMIT recordingsLoaded(id, recordings); });
            }, Qt::DirectConnection);
    connect(m_writer, &HistoryWriter::flushed, m_writer, [this](int samples) {
        postAnswer([this, samples] { Q_EMIT flushed(samples); });
    }, Qt::DirectConnection);
    m_thread->start();
    postRequest([w = m_writer] { w->open(); });
}

HistoryService::~HistoryService()
{
    // quit() from outside would end the worker's loop with requests still queued (open, samples, markers):
    // quitting from the last queued call runs everything asked before it, in order.
    postRequest([w = m_writer, t = m_thread] {
        w->close();
        t->quit();
    });
    m_thread->wait();
    // Taking the mutex orders the worker's last posts before these containers' destruction (the join itself
    // happens inside Qt, out of ThreadSanitizer's sight). Answers not yet delivered are dropped with the service.
    std::lock_guard lock(m_mailboxMutex);
    m_requests.clear();
    m_answers.clear();
    delete m_requestDrainer;   // its thread has ended: it processes no event any more
}

void HistoryService::drain(std::mutex& mutex, std::deque<std::function<void()>>& box)
{
    std::deque<std::function<void()>> work;
    {
        std::lock_guard lock(mutex);
        work.swap(box);
    }
    for (auto& f : work)
        f();
}

void HistoryService::postRequest(std::function<void()> request)
{
    {
        std::lock_guard lock(m_mailboxMutex);
        m_requests.push_back(std::move(request));
    }
    // Woken by name rather than through a connection: no slot object is shared between the threads.
    QMetaObject::invokeMethod(m_requestDrainer, "drain", Qt::QueuedConnection);
}

void HistoryService::postAnswer(std::function<void()> answer)
{
    {
        std::lock_guard lock(m_mailboxMutex);
        m_answers.push_back(std::move(answer));
    }
    QMetaObject::invokeMethod(this, "drainAnswers", Qt::QueuedConnection);
}

void HistoryService::drainAnswers() { drain(m_mailboxMutex, m_answers); }

void HistoryService::addSample(const StatsSample& sample)
{
    postRequest([w = m_writer, sample] { w->addSample(sample); });
}

void HistoryService::addMarker(quint64 requestId, const HistoryMarker& marker)
{
    postRequest([w = m_writer, requestId, marker] { w->addMarker(requestId, marker); });
}

void HistoryService::load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    postRequest([w = m_writer, requestId, sourceId, from, to] { w->load(requestId, sourceId, from, to); });
}

void HistoryService::loadRecordings(quint64 requestId)
{
    postRequest([w = m_writer, requestId] { w->loadRecordings(requestId); });
}

void HistoryService::setSourceName(const QString& sourceId, const QString& name)
{
    postRequest([w = m_writer, sourceId, name] { w->setSourceName(sourceId, name); });
}

void HistoryService::setRetentionDays(int days)
{
    postRequest([w = m_writer, days] { w->setRetentionDays(days); });
}

} // namespace cachelens
