// Runs a planned graph: resolves every value to memory (arena, constants, IO tensors), runs dynamic nodes'
// shape inference with the values of this run, and calls the kernels in schedule order: on the network's device
// for the nodes its backend prepared at plan time, else on the CPU.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "backends/backend.h"
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

//! The device a network runs on besides the CPU (none: backend nullptr). The stream belongs to the network.
struct DeviceContext {
    backend::Backend* backend = nullptr;
    int device_id = 0;
    backend::DeviceStream* stream = nullptr;
};

class Executor {
public:
    //! With a device, asks its backend for a kernel for every node it can run (uploading their constants).
    Executor(Graph& graph, const Plan& plan, ThreadPool& pool, const DeviceContext& device = {});
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;
    //! inputs/outputs: the IO tensors in graph.inputs/graph.outputs order. Output tensors are (re)shaped to
    //! the computed layouts; their memory (user memory included) receives the results. `profile`, when given,
    //! receives one event per node.
    void run(Arena& arena, const std::vector<std::shared_ptr<Tensor>>& inputs,
             const std::vector<std::shared_ptr<Tensor>>& outputs, std::vector<ProfileEvent>* profile = nullptr);

    //! Whether graph node `node` runs on the device.
    bool on_device(int node) const {
        return static_cast<size_t>(node) < m_device_kernels.size() && m_device_kernels[static_cast<size_t>(node)] != nullptr;
    }
    bool has_device() const { return m_device.backend != nullptr; }
    //! Bytes of constants the device kernels uploaded at plan time.
    size_t uploaded_bytes() const { return m_uploaded_bytes; }

private:
    bool device_can_place(const Node& node) const;
    Graph& m_graph;
    const Plan& m_plan;
    ThreadPool& m_pool;
    std::vector<std::vector<uint8_t>> m_dynamic;  // per value, reused across runs
    std::vector<ops::TensorView> m_views;          // per value, this run's memory and shape
    std::map<int, size_t> m_output_index;          // graph output value -> index in the outputs
    DeviceContext m_device;
    std::vector<std::unique_ptr<backend::DeviceKernel>> m_device_kernels;  // per graph node; null: the CPU's
    std::vector<int> m_device_io;  // graph inputs and outputs that device kernels read or write
    size_t m_uploaded_bytes = 0;
    backend::Allocation m_arena_wrap;  // the arena as the device sees it (wrapped host memory)
    const char* m_arena_wrapped = nullptr;
    size_t m_arena_wrapped_bytes = 0;
};

}  // namespace lite
