#include "core/contexts.h"

#include "lite/error.h"

namespace lite {

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

}  // namespace lite
