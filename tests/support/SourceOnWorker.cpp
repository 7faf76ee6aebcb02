#include "SourceOnWorker.h"

#include "connectors/RedisSource.h"

#include <QTest>

namespace cachelens::test {

SourceRecorder::SourceRecorder(Source* source)
{
    // Connected before the thread starts; sender and receiver share the worker thread, so delivery is direct.
    connect(source, &Source::stateChanged, this, [this](ConnectionState s, const QString& d) {
        std::lock_guard lock(m_mutex);
        m_record.states.append({s, d});
    });
    connect(source, &Source::statsSample, this, [this](const StatsSample& s) {
        std::lock_guard lock(m_mutex);
        m_record.samples.append(s);
    });
    connect(source, &Source::keysFound, this, [this](const KeyBatch& b) {
        std::lock_guard lock(m_mutex);
        m_record.batches.append(b);
    });
    connect(source, &Source::scanFinished, this, [this](const ScanSummary& s) {
        std::lock_guard lock(m_mutex);
        m_record.summaries.append(s);
    });
    connect(source, &Source::error, this, [this](quint64 id, const SourceError& e) {
        std::lock_guard lock(m_mutex);
        m_record.errors.append({id, e});
    });
    connect(source, &Source::keyDetailsReady, this, [this](const KeyBatch& b) {
        std::lock_guard lock(m_mutex);
        m_record.details.append(b);
    });
    connect(source, &Source::valueReady, this, [this](const ValuePage& p) {
        std::lock_guard lock(m_mutex);
        m_record.values.append(p);
    });
    connect(source, &Source::keysChanged, this, [this](const KeyOpResult& r) {
        std::lock_guard lock(m_mutex);
        m_record.keyOps.append(r);
    });
    connect(source, &Source::invalidationProgress, this, [this](const InvalidationProgress& p) {
        std::lock_guard lock(m_mutex);
        m_record.invalidationProgress.append(p);
    });
    connect(source, &Source::invalidationFinished, this, [this](const InvalidationReport& r) {
        std::lock_guard lock(m_mutex);
        m_record.invalidations.append(r);
    });
    connect(source, &Source::tagsListed, this, [this](const TagList& l) {
        std::lock_guard lock(m_mutex);
        m_record.tagLists.append(l);
    });
    connect(source, &Source::tagMembersReady, this, [this](const TagMembers& m) {
        std::lock_guard lock(m_mutex);
        m_record.tagMembers.append(m);
    });
    connect(source, &Source::restoreProgress, this, [this](const RestoreProgress& p) {
        std::lock_guard lock(m_mutex);
        m_record.restoreProgress.append(p);
    });
    connect(source, &Source::restoreFinished, this, [this](const RestoreReport& r) {
        std::lock_guard lock(m_mutex);
        m_record.restores.append(r);
    });
}

SourceRecorder::Record SourceRecorder::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_record;
}

void SourceRecorder::post(std::function<void()> task)
{
    std::lock_guard lock(m_mutex);
    m_tasks.push_back(std::move(task));
    // By name, so the call event is built and freed inside Qt; under the lock, so even our metaObject() read here
    // is ordered (for TSan) before the worker's next drain, and so before this object's deletion there.
    QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

void SourceRecorder::drain()
{
    for (;;) {
        std::function<void()> task;
        {
            std::lock_guard lock(m_mutex);
            if (m_tasks.empty())
                return;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();
    }
}

SourceOnWorker::SourceOnWorker(Source* source) : m_source(source), m_recorder(new SourceRecorder(source))
{
    m_source->moveToThread(&m_thread);
    m_recorder->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_source, &QObject::deleteLater);
    QObject::connect(&m_thread, &QThread::finished, m_recorder, &QObject::deleteLater);
    m_thread.start();
}

SourceOnWorker::~SourceOnWorker()
{
    // Quit from a queued task: taking the mutex on the worker after our last request gives TSan the ordering it
    // cannot see in QThread::quit/wait.
    QThread* thread = &m_thread;
    m_recorder->post([thread] { thread->quit(); });
    m_thread.wait();
}

void SourceOnWorker::call(std::function<void(Source*)> request)
{
    Source* source = m_source;
    m_recorder->post([source, request = std::move(request)] { request(source); });
}

ConnectionState SourceOnWorker::lastState() const
{
    const auto states = record().states;
    return states.isEmpty() ? ConnectionState::Disconnected : states.last().first;
}

InvalidationReport SourceOnWorker::waitForInvalidation(quint64 id, int timeoutMs) const
{
    (void)QTest::qWaitFor([&] { return byRequestId(record().invalidations, id).has_value(); }, timeoutMs);
    return byRequestId(record().invalidations, id).value_or(InvalidationReport{});
}

RestoreReport SourceOnWorker::waitForRestore(quint64 id, int timeoutMs) const
{
    (void)QTest::qWaitFor([&] { return byRequestId(record().restores, id).has_value(); }, timeoutMs);
    return byRequestId(record().restores, id).value_or(RestoreReport{});
}

std::unique_ptr<SourceOnWorker> openRedisSource(const QString& url, const QString& name, const GuardPolicy& guard)
{
    RedisSource::Options options;
    options.guard = guard;
    options.client.reconnectInitialMs = 50;
    options.client.reconnectMaxMs = 200;
    auto s = std::make_unique<SourceOnWorker>(
        new RedisSource(QStringLiteral("test"), name, *ConnectionUrl::parse(url).url, options));
    s->call([](Source* source) { source->open(); });
    if (!QTest::qWaitFor([&] { return s->lastState() == ConnectionState::Ready; }, 15000))
        qWarning("the source for %s did not become ready", qPrintable(url));
    return s;
}

} // namespace cachelens::test
