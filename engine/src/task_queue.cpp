#include "task_queue.h"

namespace cachelens::engine {

TaskQueue::TaskQueue(bool threaded, std::chrono::milliseconds tickInterval, std::function<void()> tick)
    : interval_(tickInterval), tick_(std::move(tick))
{
    if (threaded) worker_ = std::thread([this] { loop(); });
}

TaskQueue::~TaskQueue() { stop(); }

void TaskQueue::stop()
{
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        tasks_.clear();
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void TaskQueue::post(std::function<void()> task)
{
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
}

std::size_t TaskQueue::runPending()
{
    std::size_t ran = 0;
    for (;;) {
        std::function<void()> task;
        {
            std::lock_guard lock(mu_);
            if (tasks_.empty()) return ran;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        task();
        ++ran;
    }
}

std::size_t TaskQueue::pending() const
{
    std::lock_guard lock(mu_);
    return tasks_.size();
}

void TaskQueue::loop()
{
    auto nextTick = std::chrono::steady_clock::now() + interval_;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        if (tasks_.empty()) cv_.wait_until(lock, nextTick, [this] { return stopping_ || !tasks_.empty(); });
        if (stopping_) break;
        if (!tasks_.empty()) {
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
        if (std::chrono::steady_clock::now() >= nextTick) {
            lock.unlock();
            if (tick_) tick_();
            lock.lock();
            nextTick = std::chrono::steady_clock::now() + interval_;
        }
    }
}

} // namespace cachelens::engine
