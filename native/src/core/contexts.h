// The InferContext and RunContext the core hands to kernels, over graph values and their memory.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/graph.h"
#include "core/thread_pool.h"

namespace lite {

//! Infer context over a graph: shapes and dtypes are written to the graph's values. `value_of` gives a
//! value's data when known (constants at load; every value at run time).
class GraphInferContext final : public ops::InferContext {
public:
    GraphInferContext(Graph& graph, const Node& node, std::function<const ops::TensorView*(int)> value_of)
            : m_graph(graph), m_node(node), m_value_of(std::move(value_of)) {}
    size_t num_inputs() const override { return m_node.inputs.size(); }
    bool has_input(size_t i) const override { return i < m_node.inputs.size() && m_node.inputs[i] >= 0; }
    LiteDataType input_dtype(size_t i) const override { return value(i).dtype; }
    const ops::Shape& input_shape(size_t i) const override { return value(i).shape; }
    const ops::TensorView* input_value(size_t i) const override {
        return has_input(i) ? m_value_of(m_node.inputs[i]) : nullptr;
    }
    size_t num_outputs() const override { return m_node.outputs.size(); }
    void set_output(size_t i, LiteDataType dtype, const ops::Shape& shape) override;
    int opset() const override { return m_graph.opset; }
    [[noreturn]] void fail(const std::string& why) const override;

private:
    const Value& value(size_t i) const;
    Graph& m_graph;
    const Node& m_node;
    std::function<const ops::TensorView*(int)> m_value_of;
};

//! Run context over resolved views. Outputs without memory yet (dynamic shapes) are allocated on first use
//! through `allocate`, which returns memory for a value of the given dtype and shape.
class GraphRunContext final : public ops::RunContext {
public:
    using Allocate = std::function<void*(int value, LiteDataType dtype, const ops::Shape& shape)>;
    GraphRunContext(const Node& node, std::vector<ops::TensorView>& views, ThreadPool& pool, Allocate allocate)
            : m_node(node), m_views(views), m_pool(pool), m_allocate(std::move(allocate)) {}
    size_t num_inputs() const override { return m_node.inputs.size(); }
    bool has_input(size_t i) const override { return i < m_node.inputs.size() && m_node.inputs[i] >= 0; }
    const ops::TensorView& input(size_t i) const override;
    size_t num_outputs() const override { return m_node.outputs.size(); }
    ops::TensorView& output(size_t i) override;
    ops::TensorView& allocate_output(size_t i, LiteDataType dtype, const ops::Shape& shape) override;
    //! Splits only loops with enough work per chunk (see min_chunk in contexts.cpp); smaller ones run here.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const override;

private:
    const Node& m_node;
    std::vector<ops::TensorView>& m_views;
    ThreadPool& m_pool;
    Allocate m_allocate;
    ops::TensorView m_scratch;  // for omitted optional outputs
};

}  // namespace lite
