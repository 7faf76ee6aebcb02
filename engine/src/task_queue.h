#pragma once
// Background work of a Cache (stale-while-revalidate refreshes, periodic expiry sweeps) on one worker thread,
// or, in manual mode, queued until the owner calls runPending() — which is how tests drive it without sleeping.
// The queue's mutex guards tasks_ and stopping_ only; tasks run without it.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cachelens::engine {

class TaskQueue {
public:
    // threaded: start a worker that runs tasks and calls `tick` every `tickInterval`.
    TaskQueue(bool threaded, std::chrono::milliseconds tickInterval, std::function<void()> tick);
    ~TaskQueue(); // stops the worker after the task it is running; queued tasks are dropped
    TaskQueue(const TaskQueue&) = delete;
    TaskQueue& operator=(const TaskQueue&) = delete;

    // Stops the worker (after its current task) and drops queued tasks; idempotent, also done by the destructor.
    void stop();
    void post(std::function<void()> task);
    // Runs the queued tasks on the calling thread (manual mode; harmless in threaded mode). Returns how many ran.
    std::size_t runPending();
    std::size_t pending() const;

private:
    void loop();
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::chrono::milliseconds interval_;
    std::function<void()> tick_;
    std::thread worker_;
};

} // namespace cachelens::engine
