// One long-lived thread per network that runs its forwardAsync() calls. libuv's pool hands consecutive jobs to
// any of its threads; a forward that starts on a different thread each time (while the network's own workers
// spin on the other cores) was placed badly by the OS often enough to double BlazeFace's 2-thread latency. The
// libuv thread now only waits; the forward always runs here.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace edgelite::binding {

class RunThread {
public:
    RunThread() = default;
    RunThread(const RunThread&) = delete;
    RunThread& operator=(const RunThread&) = delete;
    ~RunThread() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

    //! Runs fn on this thread and waits for it; its exception is rethrown here. One call at a time.
    void run(const std::function<void()>& fn) {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (!m_thread.joinable()) m_thread = std::thread([this] { loop(); });
        m_job = &fn;
        m_error = nullptr;
        m_wake.notify_all();
        m_done.wait(lock, [this] { return m_job == nullptr; });
        if (m_error) std::rethrow_exception(m_error);
    }

private:
    void loop() {
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [this] { return m_stop || m_job != nullptr; });
            if (m_job == nullptr) return;  // stopping
            const std::function<void()>* job = m_job;
            lock.unlock();
            std::exception_ptr error;
            try {
                (*job)();
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            m_error = error;
            m_job = nullptr;
            m_done.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void()>* m_job = nullptr;
    std::exception_ptr m_error;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace edgelite::binding
