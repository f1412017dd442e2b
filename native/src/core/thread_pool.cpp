#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__linux__)
#include <sched.h>
#endif

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#include <immintrin.h>
#define LITE_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define LITE_CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#define LITE_CPU_RELAX() ((void)0)
#endif

namespace lite {

namespace {

//! How long an idle worker (or a waiting caller) spins before sleeping on its condition variable. Longer than
//! the gap between the parallel loops of consecutive small ops, short enough that an idle pool sleeps at once.
constexpr auto kSpin = std::chrono::microseconds(100);
constexpr int64_t kMaxChunks = 0xffff;

constexpr uint32_t job_generation(uint64_t job) { return static_cast<uint32_t>(job >> 32); }
constexpr int64_t job_next(uint64_t job) { return static_cast<int64_t>((job >> 16) & 0xffff); }
constexpr int64_t job_chunks(uint64_t job) { return static_cast<int64_t>(job & 0xffff); }
constexpr uint64_t make_job(uint32_t generation, int64_t next, int64_t chunks) {
    return (uint64_t(generation) << 32) | (uint64_t(next) << 16) | uint64_t(chunks);
}

//! Spins until done() or kSpin has passed since the last time extend() was true; returns done().
template <typename Done, typename Extend>
bool spin_until(Done done, Extend extend) {
    if (done()) return true;
    auto deadline = std::chrono::steady_clock::now() + kSpin;
    for (;;) {
        for (int i = 0; i < 32; ++i) {
            LITE_CPU_RELAX();
            if (done()) return true;
        }
        // A spinning thread can share a core with the one it waits for (after an idle gap the OS may wake both
        // onto one core): yielding lets that one run. 2 threads, 20 ms between BlazeFace runs: 8.5 -> 2.8-4.2 ms.
        std::this_thread::yield();
        const auto now = std::chrono::steady_clock::now();
        if (extend()) {
            deadline = now + kSpin;
        } else if (now >= deadline) {
            return done();
        }
    }
}

template <typename Done>
bool spin_until(Done done) {
    return spin_until(done, [] { return false; });
}

int current_cpu() {
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

// Moves the calling thread off `cpu` when it runs there: after an idle gap the OS often wakes a worker onto its
// waker's core, where the two then take turns for a whole run (BlazeFace back at 2 threads: 3.6 ms instead of
// 1.9, for onnxruntime too). Excluding the core from the thread's affinity migrates it at once; the full mask
// is restored right after, so the OS stays free to place it later.
void move_off_cpu(int cpu) {
#if defined(__linux__)
    if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getcpu() != cpu) return;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || CPU_COUNT(&allowed) < 2 || !CPU_ISSET(cpu, &allowed)) return;
    cpu_set_t elsewhere = allowed;
    CPU_CLR(cpu, &elsewhere);
    if (sched_setaffinity(0, sizeof(elsewhere), &elsewhere) == 0) sched_setaffinity(0, sizeof(allowed), &allowed);
#else
    (void)cpu;
#endif
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
    for (int i = 1; i < std::max(threads, 1); ++i) m_workers.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
    m_stop.store(true);
    {
        std::lock_guard<std::mutex> lock(m_mutex);  // a worker between its check and its wait sees m_stop
    }
    m_wake.notify_all();
    for (auto& worker : m_workers) worker.join();
}

int64_t ThreadPool::claim(uint32_t generation) {
    uint64_t job = m_job.load(std::memory_order_acquire);
    for (;;) {
        if (job_generation(job) != generation || job_next(job) >= job_chunks(job)) return -1;
        if (m_job.compare_exchange_weak(job, job + (uint64_t(1) << 16), std::memory_order_acq_rel,
                                        std::memory_order_acquire)) {
            return job_next(job);
        }
    }
}

void ThreadPool::run_claimed(int64_t chunk) {
    // The chunk is claimed and unfinished, so the job (m_fn, m_n, the chunk count) cannot change under us.
    const int64_t chunks = job_chunks(m_job.load(std::memory_order_acquire));
    try {
        (*m_fn)(m_n * chunk / chunks, m_n * (chunk + 1) / chunks);
    } catch (...) {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_error) m_error = std::current_exception();
    }
    if (m_pending.fetch_sub(1) == 1 && m_caller_waiting.load()) {
        { std::lock_guard<std::mutex> lock(m_mutex); }
        m_done.notify_one();
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
    if (n <= 0) return;
    int64_t chunks = std::min<int64_t>({size(), kMaxChunks, (n + std::max<int64_t>(min_chunk, 1) - 1) /
                                                                std::max<int64_t>(min_chunk, 1)});
    if (chunks <= 1 || m_workers.empty()) {
        fn(0, n);
        return;
    }
    // Publish: plain fields first, then the job word (seq_cst, so that either a worker about to sleep sees the
    // new job or we see it counted in m_sleepers and wake it).
    m_fn = &fn;
    m_n = n;
    m_error = nullptr;  // no worker touches it: none holds a chunk
    m_pending.store(chunks, std::memory_order_relaxed);
    const uint32_t generation = ++m_generation;
    m_job.store(make_job(generation, 1, chunks));  // the caller takes chunk 0
    if (m_sleepers.load() > 0) {
        { std::lock_guard<std::mutex> lock(m_mutex); }
        m_wake.notify_all();
    }
    run_claimed(0);
    // Help with chunks no worker has claimed yet, then wait for the claimed ones.
    for (int64_t c; (c = claim(generation)) >= 0;) run_claimed(c);
    if (!spin_until([this] { return m_pending.load(std::memory_order_acquire) == 0; })) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_caller_waiting.store(true);
        m_done.wait(lock, [this] { return m_pending.load() == 0; });
        m_caller_waiting.store(false);
    }
    m_fn = nullptr;
    std::exception_ptr error;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        error = std::move(m_error);
        m_error = nullptr;
    }
    if (error) std::rethrow_exception(error);
}

ThreadPool::Busy::Busy(ThreadPool& pool) : m_pool(pool) {
    if (pool.m_workers.empty()) return;
    pool.m_caller_cpu.store(current_cpu(), std::memory_order_relaxed);
    pool.m_busy.fetch_add(1);
    if (pool.m_sleepers.load() > 0) {
        { std::lock_guard<std::mutex> lock(pool.m_mutex); }
        pool.m_wake.notify_all();
    }
}

ThreadPool::Busy::~Busy() {
    if (!m_pool.m_workers.empty()) m_pool.m_busy.fetch_sub(1);
}

void ThreadPool::worker_loop() {
    uint32_t seen = 0;
    auto has_news = [&] {
        return m_stop.load(std::memory_order_relaxed) ||
               job_generation(m_job.load(std::memory_order_relaxed)) != seen;
    };
    auto busy = [&] { return m_busy.load(std::memory_order_relaxed) > 0; };
    for (;;) {
        if (!spin_until(has_news, busy)) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_sleepers.fetch_add(1);
            // A Busy scope starting wakes the worker too, so that it spins before the run's first parallel op.
            m_wake.wait(lock, [&] { return m_stop.load() || job_generation(m_job.load()) != seen || m_busy.load() > 0; });
            m_sleepers.fetch_sub(1);
            lock.unlock();
            if (busy()) move_off_cpu(m_caller_cpu.load(std::memory_order_relaxed));
            if (!has_news()) continue;
        }
        if (m_stop.load()) return;
        seen = job_generation(m_job.load(std::memory_order_acquire));
        for (int64_t c; (c = claim(seen)) >= 0;) run_claimed(c);
    }
}

}  // namespace lite
