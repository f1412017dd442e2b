// One long-lived thread per network that runs its forwardAsync() calls, in the order they were made. A forward
// that starts on a different thread each time (libuv's pool hands consecutive jobs to any of its threads, while
// the network's own workers spin on the other cores) was placed badly by the OS often enough to double
// BlazeFace's 2-thread latency; and going through a pool thread that only waits cost two more thread hand-offs
// per run. Jobs report back to JS themselves (a thread-safe function), so nothing here waits for the JS thread.
// After a job the thread spins a little for the next one: waking a thread that sleeps costs ~30 us on this VM,
// a tenth of a small model's run, and a caller that awaits each run posts the next one within that time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace edgelite::binding {

class RunThread {
public:
    RunThread() = default;
    RunThread(const RunThread&) = delete;
    RunThread& operator=(const RunThread&) = delete;
    //! Runs the jobs still queued, then joins. Must not run on this thread: jobs must not own the RunThread.
    ~RunThread() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

    //! Queues fn to run on this thread after the jobs queued before it. fn must not throw.
    void post(std::function<void()> fn) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_thread.joinable()) m_thread = std::thread([this] { loop(); });
            m_jobs.push_back(std::move(fn));
            m_queued.fetch_add(1, std::memory_order_release);
        }
        m_wake.notify_one();
    }

private:
    void loop() {
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_jobs.empty()) return;  // stopping
            std::function<void()> job = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_queued.fetch_sub(1, std::memory_order_relaxed);
            lock.unlock();
            job();
            job = nullptr;  // its captures go before the lock is taken again
            spin_for_next();
            lock.lock();
        }
    }

    void spin_for_next() const {
        const auto deadline = std::chrono::steady_clock::now() + kSpinForNext;
        while (m_queued.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < deadline) {
            // Yielding: the JS thread that will post the job may be waiting for this core.
            std::this_thread::yield();
        }
    }

    static constexpr auto kSpinForNext = std::chrono::microseconds(200);

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_jobs;
    std::atomic<int> m_queued{0};  // m_jobs.size(), read without the lock while spinning
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace edgelite::binding
