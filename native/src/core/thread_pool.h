// A fixed pool of worker threads for one network: parallel_for splits [0, n) into contiguous chunks, the
// calling thread takes a share, and the call returns when every chunk is done.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lite {

class ThreadPool {
public:
    //! threads counts the caller: 1 means no worker threads.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return static_cast<int>(m_workers.size()) + 1; }
    //! fn(begin, end) over [0, n); chunks of at least min_chunk items. Exceptions are rethrown here.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1);

private:
    void worker_loop(int index);

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void(int64_t, int64_t)>* m_fn = nullptr;
    int64_t m_n = 0, m_chunks = 0;
    int64_t m_next_chunk = 0;
    int m_pending = 0;
    uint64_t m_generation = 0;
    bool m_stop = false;
    std::exception_ptr m_error;
};

}  // namespace lite
