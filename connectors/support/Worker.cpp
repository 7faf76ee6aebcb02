#include "connectors/support/Worker.h"

#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QPointer>
#include <QThread>

#include <algorithm>

// Why everything crosses through m_mutex (the one place this is explained):
// Qt is not built with ThreadSanitizer. Its event queue, its thread start (pthread_create is called from inside
// libQt6Core) and QThread::wait() synchronise where TSan cannot see, so data handed over as a queued-signal payload,
// or read by the worker because the thread was started after it was written, or freed after a wait(), looks like a
// race. Here every hand-over is ordered by this std::mutex, which TSan does see:
//  - jobs and replies are pushed and popped under it; the queued calls only wake the other side, by name (no slot
//    object shared between the threads, whose last reference Qt would drop out of TSan's sight), and are posted
//    while it is held, so the object woken cannot be destroyed (under the mutex too) while it is being woken;
//  - the constructor releases it before starting the thread, whose first act is to take it;
//  - the worker's last act is to release it, after its jobs, their captures and its adopted objects are gone, and
//    the destructor takes it after wait(), so all of that happens before whatever the owner does next.

namespace cachelens {

// Lives on the worker thread for its whole life; woken by name.
class WorkerDrainer : public QObject
{
    Q_OBJECT
public:
    WorkerDrainer(Worker* worker, QEventLoop* loop) : m_worker(worker), m_loop(loop) {}
public Q_SLOTS:
    void drain()
    {
        if (!m_worker->runNext())
            m_loop->quit();
    }
private:
    Worker* m_worker;
    QEventLoop* m_loop;
};

Worker::Worker(const QString& name, QObject* parent)
    : QObject(parent), m_thread(QThread::create([this] { run(); }))
{
    m_thread->setObjectName(name);
    { std::lock_guard lock(m_mutex); }   // publishes the fields above to the thread (see the top of this file)
    m_thread->start();
}

Worker::~Worker()
{
    Q_ASSERT(QThread::currentThread() != m_thread);
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_cancelled = true;
        wakeWorker(lock);
    }
    m_thread->wait();
    std::deque<Reply> undelivered;
    {
        std::lock_guard lock(m_mutex);   // the join, as TSan sees it
        undelivered.swap(m_replies);
    }
    delete m_thread;
}

void Worker::run()
{
    {
        QEventLoop loop;
        WorkerDrainer drainer(this, &loop);
        {
            std::lock_guard lock(m_mutex);
            m_drainer = &drainer;
            if (!m_jobs.empty() || m_stopping)   // posted before the thread got here: no wake-up is lost
                wakeWorker(lock);
        }
        loop.exec();
        std::vector<QObject*> adopted;
        {
            std::lock_guard lock(m_mutex);
            m_drainer = nullptr;   // nothing wakes it any more; it goes at the end of this scope
            adopted.swap(m_adopted);
        }
        for (auto it = adopted.rbegin(); it != adopted.rend(); ++it)
            delete *it;
        // deleteLater() calls made by the jobs and the objects above, here rather than after this function.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    std::lock_guard lock(m_mutex);   // the last act of this thread: see the top of this file
}

bool Worker::runNext()
{
    Job job;
    {
        std::lock_guard lock(m_mutex);
        m_workerWakePending = false;
        if (m_jobs.empty())
            return !m_stopping;
        job = std::move(m_jobs.front().job);
        m_cancelled = m_stopping || m_jobs.front().cancelled;
        m_jobs.pop_front();
        m_running = true;
        // One job per event: objects living on this thread (sockets, timers) are served between jobs.
        if (!m_jobs.empty() || m_stopping)
            wakeWorker(lock);
    }
    job(m_cancelled);
    job = nullptr;   // its captures go here, before the next job starts
    std::lock_guard lock(m_mutex);
    m_running = false;
    return true;
}

void Worker::wakeWorker(const std::lock_guard<std::mutex>&)
{
    if (!m_drainer || m_workerWakePending)
        return;
    m_workerWakePending = true;
    QMetaObject::invokeMethod(m_drainer, "drain", Qt::QueuedConnection);
}

void Worker::enqueue(Queued queued)
{
    Queued replaced;   // destroyed after the lock is released
    std::lock_guard lock(m_mutex);
    if (queued.latest) {
        const auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [](const Queued& q) { return q.latest; });
        if (it != m_jobs.end()) {
            replaced = std::move(*it);
            m_jobs.erase(it);
        }
    }
    m_jobs.push_back(std::move(queued));
    wakeWorker(lock);
}

void Worker::post(Job job) { enqueue(Queued{std::move(job), false, false}); }

void Worker::post(PlainJob job)
{
    enqueue(Queued{[job = std::move(job)](const std::atomic<bool>&) { job(); }, false, false});
}

void Worker::postLatest(Job job) { enqueue(Queued{std::move(job), true, false}); }

void Worker::cancel()
{
    std::lock_guard lock(m_mutex);
    if (m_running)
        m_cancelled = true;
    for (Queued& q : m_jobs)
        q.cancelled = true;
}

bool Worker::hasQueuedJobs() const
{
    std::lock_guard lock(m_mutex);
    return !m_jobs.empty();
}

void Worker::enqueueReply(Reply reply)
{
    Reply replaced;
    std::lock_guard lock(m_mutex);
    if (reply.latest) {
        const auto it = std::find_if(m_replies.begin(), m_replies.end(), [](const Reply& r) { return r.latest; });
        if (it != m_replies.end()) {
            replaced = std::move(*it);
            m_replies.erase(it);
        }
    }
    m_replies.push_back(std::move(reply));
    if (!m_replyWakePending) {
        m_replyWakePending = true;
        QMetaObject::invokeMethod(this, "deliverReplies", Qt::QueuedConnection);
    }
}

void Worker::reply(std::function<void()> fn) { enqueueReply(Reply{std::move(fn), false}); }

void Worker::replyLatest(std::function<void()> fn) { enqueueReply(Reply{std::move(fn), true}); }

void Worker::deliverReplies()
{
    std::deque<Reply> replies;
    {
        std::lock_guard lock(m_mutex);
        replies.swap(m_replies);
        m_replyWakePending = false;
    }
    const QPointer<Worker> alive(this);
    for (Reply& r : replies) {
        r.fn();
        if (!alive)
            return;   // a reply destroyed its owner (and this): the rest are dropped with it
    }
}

void Worker::adopt(QObject* object)
{
    Q_ASSERT(!object->parent());
    object->moveToThread(m_thread);
    std::lock_guard lock(m_mutex);
    m_adopted.push_back(object);
}

} // namespace cachelens

#include "Worker.moc"
