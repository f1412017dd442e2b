#include "core/passes.h"

#include <cmath>
#include <cstring>
#include <map>

#include "core/contexts.h"
#include "lite/error.h"

namespace lite {
namespace {

bool all_inputs_constant(const Graph& graph, const Node& node) {
    for (int v : node.inputs) {
        if (v >= 0 && !graph.values[static_cast<size_t>(v)].is_constant()) return false;
    }
    return true;
}

// Computes a node whose inputs are all constant; its outputs become constants.
void fold(Graph& graph, Node& node, ThreadPool& pool) {
    std::vector<ops::TensorView> views(graph.values.size());
    for (int v : node.inputs) {
        if (v >= 0) views[static_cast<size_t>(v)] = graph.values[static_cast<size_t>(v)].constant_view();
    }
    for (int v : node.outputs) {
        if (v < 0) continue;
        const Value& value = graph.values[static_cast<size_t>(v)];
        views[static_cast<size_t>(v)] = ops::TensorView{nullptr, value.dtype, value.shape};
    }
    GraphRunContext ctx(node, views, pool, [&](int id, LiteDataType dtype, const ops::Shape& shape) {
        Value& value = graph.values[static_cast<size_t>(id)];
        value.dtype = dtype;
        value.shape = shape;
        value.shape_known = true;
        value.constant = std::make_shared<ConstantBuffer>(value.nbytes());
        return value.constant->data;
    });
    node.kernel->run(ctx);
    for (int v : node.outputs) {
        if (v < 0) continue;
        Value& value = graph.values[static_cast<size_t>(v)];
        if (!value.constant) {  // a kernel that did not touch an output: allocate it zeroed
            value.constant = std::make_shared<ConstantBuffer>(value.nbytes());
            std::memset(value.constant->data, 0, value.nbytes());
        }
    }
    node.removed = true;
}

}  // namespace

void infer_and_fold(Graph& graph, ThreadPool& pool) {
    for (auto& node : graph.nodes) {
        if (node.removed) continue;
        bool inputs_known = true;
        for (int v : node.inputs) {
            if (v >= 0 && !graph.values[static_cast<size_t>(v)].shape_known) inputs_known = false;
        }
        auto mark_dynamic = [&] {
            node.dynamic = true;
            for (int v : node.outputs) {
                if (v >= 0) graph.values[static_cast<size_t>(v)].shape_known = false;
            }
        };
        if (!inputs_known) {
            mark_dynamic();
            continue;
        }
        std::map<int, ops::TensorView> constants;
        for (int v : node.inputs) {
            if (v >= 0 && graph.values[static_cast<size_t>(v)].is_constant()) {
                constants[v] = graph.values[static_cast<size_t>(v)].constant_view();
            }
        }
        GraphInferContext ctx(graph, node, [&](int id) -> const ops::TensorView* {
            auto found = constants.find(id);
            return found == constants.end() ? nullptr : &found->second;
        });
        bool constant = all_inputs_constant(graph, node);
        try {
            node.kernel->infer(ctx);
        } catch (const ops::ValueNotKnown&) {
            if (constant) throw Error(ErrorCode::Internal, node.describe() + ": a constant input was reported unknown");
            mark_dynamic();
            continue;
        }
        if (constant) {
            fold(graph, node, pool);
        } else if (node.kernel->output_shape_from_run()) {
            mark_dynamic();
        }
    }
    graph.relink();
}

void fold_batch_norm(Graph&) {}

void fuse_activations(Graph&) {}

void remove_dead_nodes(Graph& graph) {
    bool changed = true;
    while (changed) {
        changed = false;
        graph.relink();
        for (auto& node : graph.nodes) {
            if (node.removed) continue;
            bool used = false;
            for (int v : node.outputs) {
                if (v < 0) continue;
                const Value& value = graph.values[static_cast<size_t>(v)];
                if (value.is_output || !value.consumers.empty()) used = true;
            }
            if (!used) {
                node.removed = true;
                changed = true;
            }
        }
    }
}

void run_passes(Graph& graph, ThreadPool& pool) {
    infer_and_fold(graph, pool);
    fold_batch_norm(graph);
    fuse_activations(graph);
    remove_dead_nodes(graph);
}

}  // namespace lite
