// The one worker thread + mailbox (connectors/support/Worker): order, the latest-request mailbox, cancellation,
// replies on the owner's thread, destruction with work queued, and many producers at once. Run under TSan by CI.
#include "connectors/support/Worker.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <semaphore>
#include <thread>
#include <vector>

using namespace cachelens;

namespace {

// Records where it was destroyed.
class Probe : public QObject
{
public:
    explicit Probe(std::atomic<QThread*>* destroyedOn) : m_destroyedOn(destroyedOn) {}
    ~Probe() override { m_destroyedOn->store(QThread::currentThread()); }
private:
    std::atomic<QThread*>* m_destroyedOn;
};

} // namespace

class WorkerTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jobsRunOneAtATimeInTheOrderPosted()
    {
        Worker worker(QStringLiteral("order"));
        std::vector<int> seen;   // worker thread only, until the reply carries a copy
        std::vector<int> delivered;
        for (int i = 0; i < 2000; ++i)
            worker.post([&seen, i] { seen.push_back(i); });
        worker.post([&] {
            worker.reply([&delivered, copy = seen] { delivered = copy; });
        });
        QTRY_COMPARE(delivered.size(), size_t(2000));
        for (int i = 0; i < 2000; ++i)
            QCOMPARE(delivered[size_t(i)], i);
    }

    void jobsRunOnTheNamedWorkerThreadAndRepliesOnTheOwners()
    {
        Worker worker(QStringLiteral("cachelens-test-worker"));
        QString jobThread;
        QThread* replyThread = nullptr;
        worker.post([&] {
            const QString name = QThread::currentThread()->objectName();
            worker.reply([&, name] {
                jobThread = name;
                replyThread = QThread::currentThread();
            });
        });
        QTRY_VERIFY(replyThread != nullptr);
        QCOMPARE(jobThread, QStringLiteral("cachelens-test-worker"));
        QCOMPARE(replyThread, QThread::currentThread());
    }

    void aNewerLatestRequestReplacesAnUnstartedOneOnly()
    {
        Worker worker(QStringLiteral("latest"));
        std::binary_semaphore started(0), release(0);
        std::vector<QString> ran;   // worker thread only
        QStringList delivered;
        worker.postLatest([&](const std::atomic<bool>&) {
            ran.push_back(QStringLiteral("first"));
            started.release();
            release.acquire();
        });
        started.acquire();   // "first" has started: a newer request does not replace it
        worker.postLatest([&](const std::atomic<bool>&) { ran.push_back(QStringLiteral("second")); });
        worker.post([&] { ran.push_back(QStringLiteral("plain")); });
        worker.postLatest([&](const std::atomic<bool>&) { ran.push_back(QStringLiteral("third")); });
        worker.postLatest([&](const std::atomic<bool>&) { ran.push_back(QStringLiteral("fourth")); });
        worker.post([&] {
            QStringList copy(ran.begin(), ran.end());
            worker.reply([&delivered, copy] { delivered = copy; });
        });
        release.release();
        QTRY_VERIFY(!delivered.isEmpty());
        // "second" and "third" never started; the newest takes the queue's end, after what was posted before it.
        QCOMPARE(delivered, QStringList({QStringLiteral("first"), QStringLiteral("plain"), QStringLiteral("fourth")}));
    }

    void cancelReachesTheRunningAndQueuedJobsNotLaterOnes()
    {
        Worker worker(QStringLiteral("cancel"));
        std::binary_semaphore started(0);
        int loops = 0;
        bool firstSawCancel = false, secondSawCancel = false;
        bool done = false;
        worker.post([&](const std::atomic<bool>& cancelled) {
            started.release();
            while (!cancelled)
                ++loops;
            firstSawCancel = true;
        });
        worker.post([&](const std::atomic<bool>& cancelled) {
            const bool c = cancelled;
            const bool first = firstSawCancel;
            worker.reply([&, c, first] {
                secondSawCancel = c;
                firstSawCancel = first;
                done = true;
            });
        });
        started.acquire();
        worker.cancel();
        bool laterSawCancel = true;
        worker.post([&](const std::atomic<bool>& cancelled) {
            const bool c = cancelled;
            worker.reply([&laterSawCancel, c] { laterSawCancel = c; });
        });
        QTRY_VERIFY(done);
        QVERIFY(firstSawCancel);
        QVERIFY(secondSawCancel);   // queued when cancel() was called: a run asked for and cancelled before it began
        QTRY_VERIFY(!laterSawCancel);
    }

    void cancelWithNothingRunningCancelsNothingLater()
    {
        Worker worker(QStringLiteral("idle cancel"));
        worker.cancel();
        int answer = -1;
        worker.post([&](const std::atomic<bool>& cancelled) {
            const int c = cancelled ? 1 : 0;
            worker.reply([&answer, c] { answer = c; });
        });
        QTRY_COMPARE(answer, 0);
    }

    void destructionCancelsTheRunningJobAndStillRunsTheQueuedOnes()
    {
        std::binary_semaphore started(0);
        std::atomic<int> queuedRan{0}, queuedSawCancel{0};
        std::atomic<bool> runningSawCancel{false};
        std::atomic<QThread*> probeDestroyedOn{nullptr};
        std::atomic<QThread*> workerThread{nullptr};
        bool replyDelivered = false;
        {
            Worker worker(QStringLiteral("destroyed busy"));
            worker.adopt(new Probe(&probeDestroyedOn));
            worker.post([&](const std::atomic<bool>& cancelled) {
                workerThread = QThread::currentThread();
                started.release();
                while (!cancelled)
                    std::this_thread::yield();
                runningSawCancel = true;
                worker.reply([&] { replyDelivered = true; });   // undelivered when the worker goes: dropped
            });
            for (int i = 0; i < 10; ++i)
                worker.post([&](const std::atomic<bool>& cancelled) {
                    ++queuedRan;
                    if (cancelled)
                        ++queuedSawCancel;
                });
            started.acquire();
        }
        QVERIFY(runningSawCancel);
        QCOMPARE(queuedRan.load(), 10);   // a flush or a close posted before the end still happens
        QCOMPARE(queuedSawCancel.load(), 10);
        QCOMPARE(probeDestroyedOn.load(), workerThread.load());
        QCoreApplication::processEvents();
        QVERIFY(!replyDelivered);
    }

    void destructionRightAfterConstructionRunsWhatWasPosted()
    {
        std::atomic<int> ran{0};
        for (int round = 0; round < 50; ++round) {
            Worker worker(QStringLiteral("short-lived"));
            worker.post([&] { ++ran; });
        }
        QCOMPARE(ran.load(), 50);
    }

    void manyProducersLoseNoJobAndNoReply()
    {
        constexpr int kProducers = 8;
        constexpr int kEach = 3000;
        int jobs = 0;        // worker thread only
        int replies = 0;     // this thread only
        int total = -1;
        Worker worker(QStringLiteral("many producers"));
        std::vector<std::thread> producers;
        for (int p = 0; p < kProducers; ++p)
            producers.emplace_back([&] {
                for (int i = 0; i < kEach; ++i) {
                    worker.post([&jobs] { ++jobs; });
                    worker.reply([&replies] { ++replies; });
                    if (i % 100 == 0)
                        worker.cancel();   // harmless to jobs that do not look
                }
            });
        for (auto& t : producers)
            t.join();
        worker.post([&] { worker.reply([&total, n = jobs] { total = n; }); });
        QTRY_COMPARE(total, kProducers * kEach);
        QCOMPARE(replies, kProducers * kEach);
    }

    void replyLatestKeepsOnlyTheNewestUndelivered()
    {
        Worker worker(QStringLiteral("progress"));
        QList<int> seen;
        bool finished = false;
        worker.post([&] {
            // All posted before this thread's event loop runs again: one wake-up delivers them together.
            for (int i = 1; i <= 100; ++i)
                worker.replyLatest([&seen, i] { seen.append(i); });
            worker.reply([&finished] { finished = true; });
        });
        QTRY_VERIFY(finished);
        QCOMPARE(seen, QList<int>({100}));
    }

    void aReplyMayDestroyTheWorker()
    {
        auto* worker = new Worker(QStringLiteral("self destroyed"));
        int delivered = 0;
        worker->post([&] {
            worker->reply([&] {
                ++delivered;
                delete worker;
            });
            worker->reply([&] { ++delivered; });   // dropped with the worker
        });
        QTRY_COMPARE(delivered, 1);
        QCoreApplication::processEvents();
        QCOMPARE(delivered, 1);
    }

    void hasQueuedJobsSaysWhetherAnotherJobFollows()
    {
        Worker worker(QStringLiteral("group commit"));
        std::binary_semaphore release(0);
        QList<bool> followed;
        worker.post([&] { release.acquire(); });
        for (int i = 0; i < 3; ++i)
            worker.post([&] {
                const bool more = worker.hasQueuedJobs();
                worker.reply([&followed, more] { followed.append(more); });
            });
        release.release();
        QTRY_COMPARE(followed.size(), 3);
        QCOMPARE(followed, QList<bool>({true, true, false}));
    }
};

QTEST_GUILESS_MAIN(WorkerTest)
#include "tst_worker.moc"
