#pragma once
// Worker: the one worker thread + mailbox of CacheLens. A named QThread (with an event loop, so objects adopted onto
// it can use sockets and timers) that starts on construction and runs posted jobs one at a time, in the order they
// were posted; jobs can hand results back to the thread that created the Worker with reply().
//
//   post(job)          runs after every job posted before it.
//   postLatest(job)    the "latest request" mailbox: replaces a postLatest job that has not started yet (the newer
//                      one goes to the end of the queue); a started one is not affected.
//   cancel()           raises the `cancelled` flag of the running job and of every job queued now (jobs poll it
//                      between steps; one that has not started can return at once); jobs posted later start with it
//                      lowered.
//   reply(fn)          runs fn on the Worker's own thread (where it was created), in order; replyLatest(fn) replaces
//                      an undelivered replyLatest (progress: only the newest matters).
//   adopt(object)      moves a parentless object onto the thread; it is deleted there after the last job.
//   ~Worker()          raises `cancelled` for the running job and every queued one, lets the queued jobs run in
//                      order (a job that must happen, a flush or a close, still does; a cancellable one returns at
//                      once), deletes the adopted objects on the thread, joins it, and drops undelivered replies.
//                      Declare a Worker after the members its jobs use, so it is destroyed (joined) before them.
//
// Threading contract: m_mutex guards the two queues and every field marked so. Jobs and replies are handed over
// only through them, never as queued-signal payloads: see Worker.cpp for why (ThreadSanitizer).
#include <QObject>
#include <QString>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace cachelens {

class Worker : public QObject
{
    Q_OBJECT
public:
    using Job = std::function<void(const std::atomic<bool>& cancelled)>;
    using PlainJob = std::function<void()>;

    explicit Worker(const QString& name, QObject* parent = nullptr);
    ~Worker() override;
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Thread-safe: any thread may post, cancel and reply (not from inside the destructor's own call, of course).
    void post(Job job);
    void post(PlainJob job);
    void postLatest(Job job);
    void cancel();
    // On the worker thread, from a job: whether another job is queued after it (a job that batches its work, such
    // as a group commit, writes now only when it is the last).
    bool hasQueuedJobs() const;

    void reply(std::function<void()> fn);
    void replyLatest(std::function<void()> fn);

    // On the Worker's own thread; `object` has no parent and lives on that thread.
    void adopt(QObject* object);
    QThread* workerThread() const { return m_thread; }   // QObject::thread() is where this object lives

private Q_SLOTS:
    void deliverReplies();   // woken by name: see Worker.cpp

private:
    struct Queued {
        Job job;
        bool latest = false;
        bool cancelled = false;
    };
    struct Reply {
        std::function<void()> fn;
        bool latest = false;
    };
    void run();                                      // the worker thread's whole life
    bool runNext();                                  // worker thread: one job; false once stopping and empty
    friend class WorkerDrainer;
    void enqueue(Queued queued);
    void enqueueReply(Reply reply);
    void wakeWorker(const std::lock_guard<std::mutex>&);

    QThread* m_thread;                               // owned; created and joined on the Worker's thread
    mutable std::mutex m_mutex;
    std::deque<Queued> m_jobs;                       // guarded by m_mutex
    std::deque<Reply> m_replies;                     // guarded by m_mutex
    std::vector<QObject*> m_adopted;                 // guarded by m_mutex
    QObject* m_drainer = nullptr;                    // guarded by m_mutex: lives on the worker thread while it runs
    bool m_workerWakePending = false;                // guarded by m_mutex: one drain event queued at a time
    bool m_replyWakePending = false;                 // guarded by m_mutex
    bool m_running = false;                          // guarded by m_mutex: a job is running
    bool m_stopping = false;                         // guarded by m_mutex
    std::atomic<bool> m_cancelled{false};            // the running job's flag
};

} // namespace cachelens
