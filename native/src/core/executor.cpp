#include "core/executor.h"

#include <cstdlib>
#include <cstring>
#include <map>

#include "core/contexts.h"
#include "lite/error.h"

namespace lite {
namespace {

Layout to_layout(LiteDataType dtype, const ops::Shape& shape) {
    std::vector<size_t> dims(shape.begin(), shape.end());
    if (dims.empty()) dims.push_back(1);  // scalars are 1-element tensors in the tensor API
    return Layout(dims, dtype);
}

}  // namespace

char* Arena::reserve(size_t bytes) {
    if (!m_memory || bytes > m_capacity) {
        size_t rounded = std::max<size_t>((bytes + kAlignment - 1) / kAlignment * kAlignment, kAlignment);
        auto* memory = static_cast<char*>(std::aligned_alloc(kAlignment, rounded));
        if (!memory) throw Error(ErrorCode::OutOfMemory, "cannot allocate the " + std::to_string(bytes) + "-byte arena");
        m_memory.reset(memory);
        m_capacity = rounded;
    }
    return m_memory.get();
}

Executor::Executor(Graph& graph, const Plan& plan, ThreadPool& pool)
        : m_graph(graph), m_plan(plan), m_pool(pool), m_dynamic(graph.values.size()) {}

void Executor::run(Arena& arena, const std::vector<std::shared_ptr<Tensor>>& inputs,
                   const std::vector<std::shared_ptr<Tensor>>& outputs, std::vector<ProfileEvent>* profile) {
    const ThreadPool::Busy busy(m_pool);  // workers stay awake for the whole run
    char* arena_base = arena.reserve(m_plan.arena_bytes);
    std::vector<ops::TensorView> views(m_graph.values.size());
    std::map<int, size_t> output_index;
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) output_index[m_graph.outputs[i]] = i;
    for (size_t v = 0; v < m_graph.values.size(); ++v) {
        const Value& value = m_graph.values[v];
        const Plan::Slot& slot = m_plan.slots[v];
        ops::TensorView& view = views[v];
        view.dtype = value.dtype;
        view.shape = value.shape;
        switch (slot.place) {
            case Plan::Place::Constant: view.data = value.constant->data; break;
            case Plan::Place::Arena: view.data = arena_base + slot.offset; break;
            default: break;
        }
    }
    for (size_t i = 0; i < m_graph.inputs.size(); ++i) {
        views[static_cast<size_t>(m_graph.inputs[i])].data = inputs[i]->get_memory_ptr();
    }
    // Outputs of known shape are written straight into the output tensors.
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) {
        int id = m_graph.outputs[i];
        const Value& value = m_graph.values[static_cast<size_t>(id)];
        if (m_plan.slots[static_cast<size_t>(id)].place == Plan::Place::Output && value.shape_known) {
            Layout layout = to_layout(value.dtype, value.shape);
            if (outputs[i]->get_layout() != layout) outputs[i]->set_layout(layout);
            views[static_cast<size_t>(id)].data = outputs[i]->get_memory_ptr();
        }
    }
    auto allocate = [&](int id, LiteDataType dtype, const ops::Shape& shape) -> void* {
        auto found = output_index.find(id);
        if (found != output_index.end()) {
            auto& tensor = outputs[found->second];
            Layout layout = to_layout(dtype, shape);
            if (tensor->get_layout() != layout) tensor->set_layout(layout);
            return tensor->get_memory_ptr();
        }
        auto& buffer = m_dynamic[static_cast<size_t>(id)];
        buffer.resize(std::max<size_t>(static_cast<size_t>(ops::numel(shape)) * dtype_size(dtype), 1));
        return buffer.data();
    };
    for (int n : m_plan.schedule) {
        Node& node = m_graph.nodes[static_cast<size_t>(n)];
        if (node.dynamic) {
            // Shapes of this run: infer with every input's actual value, into a scratch copy of the values.
            Graph& graph = m_graph;
            std::vector<std::pair<LiteDataType, ops::Shape>> saved;
            for (int v : node.inputs) {
                if (v < 0) continue;
                Value& value = graph.values[static_cast<size_t>(v)];
                value.dtype = views[static_cast<size_t>(v)].dtype;
                value.shape = views[static_cast<size_t>(v)].shape;
                value.shape_known = true;
            }
            GraphInferContext ctx(graph, node, [&](int id) -> const ops::TensorView* { return &views[static_cast<size_t>(id)]; });
            node.kernel->infer(ctx);
            for (int v : node.outputs) {
                if (v < 0) continue;
                Value& value = graph.values[static_cast<size_t>(v)];
                views[static_cast<size_t>(v)] = ops::TensorView{nullptr, value.dtype, value.shape};
                value.shape_known = false;  // stays dynamic for the next run's plan
            }
        }
        GraphRunContext ctx(node, views, m_pool, allocate);
        if (profile) {
            auto start = std::chrono::steady_clock::now();
            node.kernel->run(ctx);
            auto end = std::chrono::steady_clock::now();
            auto us = [](auto t) { return std::chrono::duration<double, std::micro>(t.time_since_epoch()).count(); };
            profile->push_back({node.name, node.op_type + (node.fused.empty() ? "" : "+" + node.fused), us(start), us(end) - us(start)});
        } else {
            node.kernel->run(ctx);
        }
    }
    // Outputs that are constants, inputs or computed elsewhere (aliases) are copied into the output tensors.
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) {
        int id = m_graph.outputs[i];
        const Plan::Slot& slot = m_plan.slots[static_cast<size_t>(id)];
        if (slot.place != Plan::Place::Constant && slot.place != Plan::Place::Input) continue;
        const ops::TensorView& view = views[static_cast<size_t>(id)];
        Tensor source(LITE_CPU, to_layout(view.dtype, view.shape));
        source.reset(view.data, source.get_layout());
        outputs[i]->copy_from(source);
    }
}

}  // namespace lite
