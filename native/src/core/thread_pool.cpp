#include "core/thread_pool.h"

#include <algorithm>

namespace lite {

ThreadPool::ThreadPool(int threads) {
    for (int i = 1; i < std::max(threads, 1); ++i) m_workers.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& worker : m_workers) worker.join();
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
    if (n <= 0) return;
    int64_t chunks = std::min<int64_t>(size(), (n + min_chunk - 1) / std::max<int64_t>(min_chunk, 1));
    if (chunks <= 1 || m_workers.empty()) {
        fn(0, n);
        return;
    }
    auto run_chunk = [&](int64_t c) {
        int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
        fn(begin, end);
    };
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_fn = &fn;
        m_n = n;
        m_chunks = chunks;
        m_next_chunk = 1;  // the caller takes chunk 0
        m_pending = static_cast<int>(chunks - 1);
        m_error = nullptr;
        ++m_generation;
    }
    m_wake.notify_all();
    std::exception_ptr caller_error;
    try {
        run_chunk(0);
    } catch (...) {
        caller_error = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
    m_fn = nullptr;
    if (caller_error) std::rethrow_exception(caller_error);
    if (m_error) std::rethrow_exception(m_error);
}

void ThreadPool::worker_loop(int) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || (m_generation != seen && m_next_chunk < m_chunks); });
        if (m_stop) return;
        seen = m_generation;
        while (m_next_chunk < m_chunks) {
            int64_t c = m_next_chunk++;
            const auto* fn = m_fn;
            int64_t n = m_n, chunks = m_chunks;
            lock.unlock();
            try {
                (*fn)(n * c / chunks, n * (c + 1) / chunks);
            } catch (...) {
                std::lock_guard<std::mutex> error_lock(m_mutex);
                if (!m_error) m_error = std::current_exception();
            }
            lock.lock();
            if (--m_pending == 0) m_done.notify_one();
        }
    }
}

}  // namespace lite
