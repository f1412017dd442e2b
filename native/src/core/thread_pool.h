// A fixed pool of worker threads for one network: parallel_for splits [0, n) into contiguous chunks, the
// calling thread takes a share, and the call returns when every chunk is done.
//
// Work is published with atomics: idle workers spin briefly (kSpin) on the job word before sleeping on a
// condition variable, so back-to-back calls (many small ops in a row) start a hot worker in about a microsecond
// instead of the ~40-50 us a condition-variable wake costs. The caller also claims chunks itself, so a worker
// that is slow to wake costs at most its share, never a stall. While a run holds a Busy scope (the executor's
// forward), workers are woken at its start and spin for its whole length: serial stretches between parallel ops
// longer than kSpin would otherwise put them back to sleep, and after an idle gap between frames every wake
// cost ~50-100 us here (BlazeFace at 2 threads with 20 ms between runs: 5.0 ms instead of 2.3).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
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
    //! One call at a time per pool (the network's runs are serialized); fn must not call back into the pool.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1);

    //! Keeps the workers awake and spinning from construction to destruction (one forward).
    class Busy {
    public:
        explicit Busy(ThreadPool& pool);
        ~Busy();
        Busy(const Busy&) = delete;
        Busy& operator=(const Busy&) = delete;

    private:
        ThreadPool& m_pool;
    };

private:
    void worker_loop();
    //! Claims the next chunk of job generation `generation`; -1 when none is left (or the job is another).
    int64_t claim(uint32_t generation);
    void run_claimed(int64_t chunk);

    std::vector<std::thread> m_workers;

    // The job word: generation (bits 32-63), next chunk to claim (bits 16-31), chunk count (bits 0-15). A
    // claim is a CAS on it, so a worker only reads m_fn/m_n after claiming a chunk of the current job, and the
    // caller does not return (nor publish the next job) while a claimed chunk is unfinished.
    std::atomic<uint64_t> m_job{0};
    std::atomic<int64_t> m_pending{0};  //!< chunks of the current job not finished yet
    const std::function<void(int64_t, int64_t)>* m_fn = nullptr;
    int64_t m_n = 0;
    uint32_t m_generation = 0;  //!< the caller's copy

    std::mutex m_mutex;  //!< guards sleeping on the condition variables and m_error
    std::condition_variable m_wake, m_done;
    std::atomic<int> m_sleepers{0};         //!< workers waiting (or about to wait) on m_wake
    std::atomic<bool> m_caller_waiting{false};
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_busy{0};  //!< Busy scopes alive: workers spin without a deadline
    std::atomic<int> m_caller_cpu{-1};  //!< where the last Busy scope began (-1: unknown)
    std::exception_ptr m_error;
};

}  // namespace lite
