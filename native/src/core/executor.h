// Runs a planned graph: resolves every value to memory (arena, constants, IO tensors), runs dynamic nodes'
// shape inference with the values of this run, and calls the kernels in schedule order.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "core/graph.h"
#include "core/planner.h"
#include "core/thread_pool.h"
#include "lite/tensor.h"

namespace lite {

//! The activation arena. Networks that share runtime memory (Network::share_runtime_memory_with) share one
//! arena; its mutex serialises their runs, so they never use it at the same time.
class Arena {
public:
    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    //! Memory of at least `bytes`, grown (once) when a plan needs more.
    char* reserve(size_t bytes);
    size_t capacity() const { return m_capacity; }
    std::mutex& run_mutex() { return m_run_mutex; }

private:
    std::unique_ptr<char, void (*)(void*)> m_memory{nullptr, std::free};
    size_t m_capacity = 0;
    std::mutex m_run_mutex;
};

//! One node's run, for enable_profile_performance.
struct ProfileEvent {
    std::string name, op_type;
    double start_us = 0, duration_us = 0;
};

class Executor {
public:
    Executor(Graph& graph, const Plan& plan, ThreadPool& pool);
    //! inputs/outputs: the IO tensors in graph.inputs/graph.outputs order. Output tensors are (re)shaped to
    //! the computed layouts; their memory (user memory included) receives the results. `profile`, when given,
    //! receives one event per node.
    void run(Arena& arena, const std::vector<std::shared_ptr<Tensor>>& inputs,
             const std::vector<std::shared_ptr<Tensor>>& outputs, std::vector<ProfileEvent>* profile = nullptr);

private:
    Graph& m_graph;
    const Plan& m_plan;
    ThreadPool& m_pool;
    std::vector<std::vector<uint8_t>> m_dynamic;  // per value, reused across runs
};

}  // namespace lite
