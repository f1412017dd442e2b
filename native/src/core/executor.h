// Runs a planned graph: resolves every value to memory (arena, constants, IO tensors), runs dynamic nodes'
// shape inference with the values of this run, and calls the kernels in schedule order.
#pragma once

#include <memory>
#include <vector>

#include "core/graph.h"
#include "core/planner.h"
#include "core/thread_pool.h"
#include "lite/tensor.h"

namespace lite {

class Executor {
public:
    Executor(Graph& graph, const Plan& plan, ThreadPool& pool);
    //! inputs/outputs: the IO tensors in graph.inputs/graph.outputs order. Output tensors are (re)shaped to
    //! the computed layouts; their memory (user memory included) receives the results.
    void run(const std::vector<std::shared_ptr<Tensor>>& inputs, const std::vector<std::shared_ptr<Tensor>>& outputs);

private:
    Graph& m_graph;
    const Plan& m_plan;
    ThreadPool& m_pool;
    std::unique_ptr<char, void (*)(void*)> m_arena;
    std::vector<std::vector<uint8_t>> m_dynamic;  // per value, reused across runs
};

}  // namespace lite
