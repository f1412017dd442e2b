#include "core/contexts.h"

#include <algorithm>

#include "lite/error.h"

namespace lite {

namespace {

//! Least work per chunk, in tensor elements, worth handing to another thread: one parallel_for costs a few
//! microseconds with hot workers (tens with sleeping ones), ~16k elements of a cheap elementwise op about as much.
constexpr int64_t kMinChunkElements = 16384;

//! Ops whose kernels gate their own threading by their real work (GEMM flops), which the tensor sizes
//! understate: their loops are split as asked.
bool gates_own_threading(const std::string& op_type) {
    return op_type == "Conv" || op_type == "ConvTranspose" || op_type == "Gemm" || op_type == "MatMul" ||
           op_type == "Einsum";
}

}  // namespace

const Value& GraphInferContext::value(size_t i) const {
    if (!has_input(i)) fail("input " + std::to_string(i) + " is required but missing");
    return m_graph.values[static_cast<size_t>(m_node.inputs[i])];
}

void GraphInferContext::set_output(size_t i, LiteDataType dtype, const ops::Shape& shape) {
    if (i >= m_node.outputs.size() || m_node.outputs[i] < 0) return;  // omitted optional output
    for (int64_t d : shape) {
        if (d < 0) fail("inferred a negative dim for output " + std::to_string(i) + ": " + ops::shape_str(shape));
    }
    Value& value = m_graph.values[static_cast<size_t>(m_node.outputs[i])];
    value.dtype = dtype;
    value.shape = shape;
    value.shape_known = true;
}

void GraphInferContext::fail(const std::string& why) const {
    throw Error(ErrorCode::InvalidModel, m_node.describe() + ": " + why);
}

const ops::TensorView& GraphRunContext::input(size_t i) const {
    if (!has_input(i)) {
        throw Error(ErrorCode::Internal, m_node.describe() + ": kernel read omitted input " + std::to_string(i));
    }
    return m_views[static_cast<size_t>(m_node.inputs[i])];
}

ops::TensorView& GraphRunContext::output(size_t i) {
    if (i >= m_node.outputs.size() || m_node.outputs[i] < 0) {
        m_scratch = {};
        return m_scratch;
    }
    int id = m_node.outputs[i];
    ops::TensorView& view = m_views[static_cast<size_t>(id)];
    if (!view.data) view.data = m_allocate(id, view.dtype, view.shape);
    return view;
}

ops::TensorView& GraphRunContext::allocate_output(size_t i, LiteDataType dtype, const ops::Shape& shape) {
    if (i >= m_node.outputs.size() || m_node.outputs[i] < 0) {
        m_scratch = {};
        return m_scratch;
    }
    int id = m_node.outputs[i];
    ops::TensorView& view = m_views[static_cast<size_t>(id)];
    view.dtype = dtype;
    view.shape = shape;
    view.data = m_allocate(id, dtype, shape);
    return view;
}

void GraphRunContext::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const {
    if (n <= 0) return;
    int64_t min_chunk = 1;
    if (m_pool.size() > 1 && !gates_own_threading(m_node.op_type)) {
        // The loop's work, estimated as its largest tensor (reductions read more than they write, broadcasts
        // write more than they read), spread evenly over its n items.
        int64_t elements = 0;
        for (int id : m_node.inputs) {
            if (id >= 0) elements = std::max(elements, m_views[static_cast<size_t>(id)].numel());
        }
        for (int id : m_node.outputs) {
            if (id >= 0) elements = std::max(elements, m_views[static_cast<size_t>(id)].numel());
        }
        if (elements < 2 * kMinChunkElements) {
            fn(0, n);
            return;
        }
        const int64_t per_item = std::max<int64_t>(elements / n, 1);
        min_chunk = (kMinChunkElements + per_item - 1) / per_item;
    }
    m_pool.parallel_for(n, fn, min_chunk);
}

}  // namespace lite
