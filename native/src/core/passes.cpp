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
        bool constant = all_inputs_constant(graph, node) || node.kernel->output_from_input_shapes();
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

namespace {

// The live node producing value v if v feeds only `consumer` and is not a graph output; else nullptr.
Node* sole_producer(Graph& graph, int v, int consumer) {
    if (v < 0) return nullptr;
    const Value& value = graph.values[static_cast<size_t>(v)];
    if (value.is_output || value.producer < 0 || value.consumers.size() != 1 || value.consumers[0] != consumer) return nullptr;
    Node& producer = graph.nodes[static_cast<size_t>(value.producer)];
    return producer.removed ? nullptr : &producer;
}

bool constant_float(const Graph& graph, int v) {
    return v >= 0 && graph.values[static_cast<size_t>(v)].is_constant() && graph.values[static_cast<size_t>(v)].dtype == LITE_FLOAT;
}

int add_constant(Graph& graph, const std::string& name, const ops::Shape& shape, std::shared_ptr<ConstantBuffer> buffer) {
    Value value;
    value.name = name;
    value.dtype = LITE_FLOAT;
    value.shape = shape;
    value.shape_known = true;
    value.constant = std::move(buffer);
    graph.values.push_back(std::move(value));
    return static_cast<int>(graph.values.size() - 1);
}

// Whether only output 0 of a node is used.
bool only_first_output_used(const Graph& graph, const Node& node) {
    for (size_t i = 1; i < node.outputs.size(); ++i) {
        int v = node.outputs[i];
        if (v >= 0 && (graph.values[static_cast<size_t>(v)].is_output || !graph.values[static_cast<size_t>(v)].consumers.empty())) return false;
    }
    return true;
}

void append_fused(Node& node, const std::string& op) { node.fused += (node.fused.empty() ? "" : "+") + op; }

// The activation an op node says it is (Relu, Clip with constant bounds, ...), from its constant inputs.
bool node_activation(const Graph& graph, const Node& node, ops::Activation& out) {
    std::vector<const ops::TensorView*> constants(node.inputs.size(), nullptr);
    std::vector<ops::TensorView> views(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
        int v = node.inputs[i];
        if (v >= 0 && graph.values[static_cast<size_t>(v)].is_constant()) {
            views[i] = graph.values[static_cast<size_t>(v)].constant_view();
            constants[i] = &views[i];
        }
    }
    return node.kernel->as_activation(constants, out);
}

// Mul, Add, Sub or Div of a value by a float scalar constant, as an affine "activation" of that value (`data`):
// the learnable scale and bias that PP-LCNet puts after each hard-swish. Division becomes multiplication by
// the reciprocal (within one rounding of the reference).
bool scalar_affine(const Graph& graph, const Node& node, int& data, ops::Activation& out) {
    if (node.inputs.size() != 2 || node.outputs.empty()) return false;
    const bool mul = node.op_type == "Mul", add = node.op_type == "Add", sub = node.op_type == "Sub", div = node.op_type == "Div";
    if (!mul && !add && !sub && !div) return false;
    auto scalar = [&](int v) {
        return constant_float(graph, v) && ops::numel(graph.values[static_cast<size_t>(v)].shape) == 1;
    };
    size_t c;
    if (scalar(node.inputs[1]) && !graph.values[static_cast<size_t>(node.inputs[0])].is_constant()) {
        c = 1;
    } else if (scalar(node.inputs[0]) && !graph.values[static_cast<size_t>(node.inputs[1])].is_constant() && !div) {
        c = 0;
    } else {
        return false;
    }
    data = node.inputs[1 - c];
    const Value& x = graph.values[static_cast<size_t>(data)];
    const Value& y = graph.values[static_cast<size_t>(node.outputs[0])];
    if (x.dtype != LITE_FLOAT || !x.shape_known || y.shape != x.shape) return false;
    const float k = static_cast<const float*>(graph.values[static_cast<size_t>(node.inputs[c])].constant->data)[0];
    out = ops::Activation{};
    if (mul) out.scale = k;
    if (add) out.shift = k;
    if (sub && c == 1) out.shift = -k;             // x - k
    if (sub && c == 0) out.scale = -1.f, out.shift = k;  // k - x
    if (div) {
        if (k == 0.f || !std::isfinite(1.f / k)) return false;
        out.scale = 1.f / k;
    }
    return true;
}

}  // namespace

namespace {

// For a Conv or ConvTranspose with constant weights, the output channel of each weight element, so that a
// per-output-channel scale can be folded into them: Conv W is [M, C/group, k...], ConvTranspose W is
// [C, M/group, k...]. False for other nodes or shapes that do not fit `channels`.
bool output_channel_of_weights(const Graph& graph, const Node& node, int64_t channels, std::vector<int64_t>& channel_of) {
    if ((node.op_type != "Conv" && node.op_type != "ConvTranspose") || node.dynamic || node.inputs.size() < 2) return false;
    const Value& weight = graph.values[static_cast<size_t>(node.inputs[1])];
    if (weight.shape.size() < 3 || channels <= 0) return false;
    int64_t group = 1;
    for (const auto& attribute : node.attributes) {
        if (attribute.name == "group") group = attribute.i;
    }
    const int64_t count = ops::numel(weight.shape);
    channel_of.resize(static_cast<size_t>(count));
    if (node.op_type == "Conv") {
        if (weight.shape[0] != channels) return false;
        const int64_t per_channel = count / channels;
        for (int64_t i = 0; i < count; ++i) channel_of[static_cast<size_t>(i)] = i / per_channel;
        return true;
    }
    const int64_t in_channels = weight.shape[0], maps_per_group = weight.shape[1];
    if (group <= 0 || in_channels % group != 0 || maps_per_group * group != channels) return false;
    const int64_t taps = count / (in_channels * maps_per_group), in_per_group = in_channels / group;
    for (int64_t i = 0; i < count; ++i) {
        const int64_t ci = i / (maps_per_group * taps), j = (i / taps) % maps_per_group;
        channel_of[static_cast<size_t>(i)] = (ci / in_per_group) * maps_per_group + j;
    }
    return true;
}

}  // namespace

bool fold_batch_norm(Graph& graph) {
    bool changed = false;
    graph.relink();
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        Node& bn = graph.nodes[n];
        if (bn.removed || bn.op_type != "BatchNormalization" || bn.inputs.size() < 5) continue;
        if (!only_first_output_used(graph, bn)) continue;
        Node* conv = sole_producer(graph, bn.inputs[0], static_cast<int>(n));
        if (!conv || (conv->op_type != "Conv" && conv->op_type != "ConvTranspose") || conv->dynamic || conv->inputs.size() < 2) continue;
        int w = conv->inputs[1], b = conv->inputs.size() > 2 ? conv->inputs[2] : -1;
        if (!constant_float(graph, w) || (b >= 0 && !constant_float(graph, b))) continue;
        bool params_constant = true;
        for (size_t i = 1; i < 5; ++i) params_constant = params_constant && constant_float(graph, bn.inputs[i]);
        if (!params_constant) continue;
        float epsilon = 1e-5f;
        for (const auto& attribute : bn.attributes) {
            if (attribute.name == "epsilon") epsilon = attribute.f;
        }
        const Value& weight = graph.values[static_cast<size_t>(w)];
        const Value& conv_out = graph.values[static_cast<size_t>(bn.inputs[0])];
        const int64_t channels = conv_out.shape.size() < 2 ? 0 : conv_out.shape[1];
        std::vector<int64_t> channel_of;
        if (!output_channel_of_weights(graph, *conv, channels, channel_of)) continue;
        auto param = [&](size_t i) { return static_cast<const float*>(graph.values[static_cast<size_t>(bn.inputs[i])].constant->data); };
        bool sizes_ok = true;
        for (size_t i = 1; i < 5; ++i) sizes_ok = sizes_ok && ops::numel(graph.values[static_cast<size_t>(bn.inputs[i])].shape) == channels;
        if (!sizes_ok || channels == 0) continue;
        const float *scale = param(1), *shift = param(2), *mean = param(3), *var = param(4);
        auto new_weight = std::make_shared<ConstantBuffer>(weight.nbytes());
        auto new_bias = std::make_shared<ConstantBuffer>(static_cast<size_t>(channels) * sizeof(float));
        const auto* w_data = static_cast<const float*>(weight.constant->data);
        const float* b_data = b >= 0 ? static_cast<const float*>(graph.values[static_cast<size_t>(b)].constant->data) : nullptr;
        auto* w_out = static_cast<float*>(new_weight->data);
        auto* b_out = static_cast<float*>(new_bias->data);
        std::vector<float> factor(static_cast<size_t>(channels));
        for (int64_t m = 0; m < channels; ++m) {
            const float s = scale[m] / std::sqrt(var[m] + epsilon);
            factor[static_cast<size_t>(m)] = s;
            b_out[m] = ((b_data ? b_data[m] : 0.f) - mean[m]) * s + shift[m];
        }
        for (size_t i = 0; i < channel_of.size(); ++i) w_out[i] = w_data[i] * factor[static_cast<size_t>(channel_of[i])];
        ops::Shape weight_shape = weight.shape;
        std::string weight_name = weight.name;
        int new_w = add_constant(graph, weight_name + "/bn_folded", weight_shape, new_weight);
        int new_b = add_constant(graph, weight_name + "/bn_folded_bias", {channels}, new_bias);
        conv = &graph.nodes[static_cast<size_t>(graph.values[static_cast<size_t>(bn.inputs[0])].producer)];
        conv->inputs.resize(3);
        conv->inputs[1] = new_w;
        conv->inputs[2] = new_b;
        conv->outputs[0] = bn.outputs[0];
        append_fused(*conv, "BatchNormalization");
        bn.removed = true;
        changed = true;
        graph.relink();
    }
    return changed;
}

namespace {

// A constant whose values apply per output channel of a Conv producing [N, M, ...]: a scalar, or M values laid out
// along dim 1 (shape [M, 1, ...] after broadcasting against rank `rank`). Returns the M per-channel values.
bool per_channel_values(const Graph& graph, int v, int64_t channels, size_t rank, std::vector<float>& out) {
    if (!constant_float(graph, v)) return false;
    const Value& value = graph.values[static_cast<size_t>(v)];
    const auto* data = static_cast<const float*>(value.constant->data);
    const int64_t count = ops::numel(value.shape);
    if (count == 1) {
        out.assign(static_cast<size_t>(channels), data[0]);
        return true;
    }
    if (count != channels || value.shape.size() > rank) return false;
    // Right-aligned against [N, M, d2, ...]: the M values must sit on dim 1, every other dim 1.
    const size_t offset = rank - value.shape.size();
    for (size_t i = 0; i < value.shape.size(); ++i) {
        const size_t dim = i + offset;
        if (dim != 1 && value.shape[i] != 1) return false;
        if (dim == 1 && value.shape[i] != channels) return false;
    }
    out.assign(data, data + channels);
    return true;
}

// Whether what a node has absorbed so far is linear (BatchNorm, Mul, Add): an activation ends affine folding.
bool only_linear_fused(const Node& node) {
    size_t start = 0;
    while (start < node.fused.size()) {
        size_t end = node.fused.find('+', start);
        std::string part = node.fused.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (part != "BatchNormalization" && part != "Mul" && part != "Add") return false;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return true;
}

// Whether v is a scalar float constant equal to `expected`.
bool scalar_equals(const Graph& graph, int v, float expected) {
    if (!constant_float(graph, v) || ops::numel(graph.values[static_cast<size_t>(v)].shape) != 1) return false;
    return static_cast<const float*>(graph.values[static_cast<size_t>(v)].constant->data)[0] == expected;
}

}  // namespace

bool fold_conv_affine(Graph& graph) {
    bool changed = false;
    graph.relink();
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        Node& op = graph.nodes[n];
        if (op.removed || (op.op_type != "Mul" && op.op_type != "Add") || op.inputs.size() != 2) continue;
        // Which input is the Conv's output and which the constant (either order).
        for (int side = 0; side < 2; ++side) {
            Node* conv = sole_producer(graph, op.inputs[static_cast<size_t>(side)], static_cast<int>(n));
            int constant = op.inputs[static_cast<size_t>(1 - side)];
            if (!conv || (conv->op_type != "Conv" && conv->op_type != "ConvTranspose") || conv->dynamic || conv->inputs.size() < 2 ||
                !only_linear_fused(*conv)) {
                continue;
            }
            const Value& output = graph.values[static_cast<size_t>(op.inputs[static_cast<size_t>(side)])];
            int w = conv->inputs[1], b = conv->inputs.size() > 2 ? conv->inputs[2] : -1;
            if (!constant_float(graph, w) || (b >= 0 && !constant_float(graph, b)) || output.shape.size() < 2) continue;
            const int64_t channels = output.shape[1];
            std::vector<float> values;
            if (!per_channel_values(graph, constant, channels, output.shape.size(), values)) continue;
            if (graph.values[static_cast<size_t>(op.outputs[0])].shape != output.shape) continue;  // no broadcasting growth
            const Value& weight = graph.values[static_cast<size_t>(w)];
            std::vector<int64_t> channel_of;
            if (!output_channel_of_weights(graph, *conv, channels, channel_of)) continue;
            const auto* w_data = static_cast<const float*>(weight.constant->data);
            const float* b_data = b >= 0 ? static_cast<const float*>(graph.values[static_cast<size_t>(b)].constant->data) : nullptr;
            const bool scale = op.op_type == "Mul";
            auto new_weight = scale ? std::make_shared<ConstantBuffer>(weight.nbytes()) : weight.constant;
            auto new_bias = std::make_shared<ConstantBuffer>(static_cast<size_t>(channels) * sizeof(float));
            auto* b_out = static_cast<float*>(new_bias->data);
            for (int64_t m = 0; m < channels; ++m) {
                const float bias = b_data ? b_data[m] : 0.f;
                b_out[m] = scale ? bias * values[static_cast<size_t>(m)] : bias + values[static_cast<size_t>(m)];
            }
            if (scale) {
                auto* w_out = static_cast<float*>(new_weight->data);
                for (size_t i = 0; i < channel_of.size(); ++i) w_out[i] = w_data[i] * values[static_cast<size_t>(channel_of[i])];
            }
            ops::Shape weight_shape = weight.shape;
            std::string name = weight.name + "/" + op.op_type + "_folded";
            int new_w = scale ? add_constant(graph, name, weight_shape, new_weight) : w;
            int new_b = add_constant(graph, name + "_bias", {channels}, new_bias);
            Node& producer = graph.nodes[static_cast<size_t>(graph.values[static_cast<size_t>(op.inputs[static_cast<size_t>(side)])].producer)];
            producer.inputs.resize(3);
            producer.inputs[1] = new_w;
            producer.inputs[2] = new_b;
            producer.outputs[0] = op.outputs[0];
            append_fused(producer, op.op_type);
            op.removed = true;
            changed = true;
            graph.relink();
            break;
        }
    }
    return changed;
}

void fuse_hard_swish(Graph& graph) {
    graph.relink();
    const ops::OpInfo* hard_swish = ops::find_op("HardSwish");
    if (!hard_swish) return;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        // Match from the Add: a = Add(x, 3); c = Clip(a, 0, 6); m = Mul(x, c) or Mul(c, x); y = Div(m, 6).
        Node& add = graph.nodes[n];
        if (add.removed || add.op_type != "Add" || add.inputs.size() != 2) continue;
        int x = -1;
        if (scalar_equals(graph, add.inputs[1], 3.f)) x = add.inputs[0];
        else if (scalar_equals(graph, add.inputs[0], 3.f)) x = add.inputs[1];
        if (x < 0 || graph.values[static_cast<size_t>(x)].dtype != LITE_FLOAT) continue;
        const Value& a = graph.values[static_cast<size_t>(add.outputs[0])];
        if (a.is_output || a.consumers.size() != 1) continue;
        Node& clip = graph.nodes[static_cast<size_t>(a.consumers[0])];
        ops::Activation bounds;  // Clip's bounds come from inputs (opset 11+) or attributes (older)
        if (clip.op_type != "Clip" || clip.inputs.empty() || clip.inputs[0] != add.outputs[0] || !node_activation(graph, clip, bounds) ||
            bounds.kind != ops::Activation::Clip || bounds.min != 0.f || bounds.max != 6.f) {
            continue;
        }
        const Value& c = graph.values[static_cast<size_t>(clip.outputs[0])];
        if (c.is_output || c.consumers.size() != 1) continue;
        Node& mul = graph.nodes[static_cast<size_t>(c.consumers[0])];
        if (mul.op_type != "Mul" || mul.inputs.size() != 2 ||
            !((mul.inputs[0] == x && mul.inputs[1] == clip.outputs[0]) || (mul.inputs[1] == x && mul.inputs[0] == clip.outputs[0]))) {
            continue;
        }
        const Value& m = graph.values[static_cast<size_t>(mul.outputs[0])];
        if (m.is_output || m.consumers.size() != 1) continue;
        Node& div = graph.nodes[static_cast<size_t>(m.consumers[0])];
        if (div.op_type != "Div" || div.inputs.size() != 2 || div.inputs[0] != mul.outputs[0] || !scalar_equals(graph, div.inputs[1], 6.f)) continue;
        if (graph.values[static_cast<size_t>(div.outputs[0])].shape != graph.values[static_cast<size_t>(x)].shape) continue;
        // The Div node becomes HardSwish(x); the other three go.
        static const std::vector<onnx::Attribute> no_attributes;
        div.op_type = "HardSwish";
        div.kernel = std::shared_ptr<ops::Kernel>(hard_swish->create(ops::Attributes(no_attributes, div.describe()), 14));
        div.inputs = {x};
        div.attributes.clear();
        append_fused(div, "Add+Clip+Mul+Div");
        add.removed = clip.removed = mul.removed = true;
        graph.relink();
    }
}

namespace {

// The value a residual input adds: v itself, or, when v is Concat(r, zeros) along the channels and only feeds
// `consumer`, r (the output channels past r's get nothing added). -1 when v is not usable.
int residual_source(const Graph& graph, int v, int consumer) {
    const Value& value = graph.values[static_cast<size_t>(v)];
    if (value.is_constant() || value.dtype != LITE_FLOAT || !value.shape_known) return -1;
    if (value.producer < 0 || value.is_output || value.consumers.size() != 1 || value.consumers[0] != consumer) return v;
    const Node& concat = graph.nodes[static_cast<size_t>(value.producer)];
    if (concat.op_type != "Concat" || concat.inputs.size() != 2 || concat.dynamic) return v;
    int64_t axis = 0;
    for (const auto& attribute : concat.attributes) {
        if (attribute.name == "axis") axis = attribute.i;
    }
    if (axis != 1 && axis != 1 - static_cast<int64_t>(value.shape.size())) return v;
    const int zeros = concat.inputs[1];
    if (!constant_float(graph, zeros)) return v;
    const Value& pad = graph.values[static_cast<size_t>(zeros)];
    const auto* data = static_cast<const float*>(pad.constant->data);
    for (int64_t i = 0; i < ops::numel(pad.shape); ++i) {
        if (data[i] != 0.f) return v;
    }
    return concat.inputs[0];
}

}  // namespace

void fuse_residual_add(Graph& graph) {
    graph.relink();
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        Node& add = graph.nodes[n];
        if (add.removed || add.op_type != "Add" || add.inputs.size() != 2 || add.dynamic) continue;
        const Value& sum = graph.values[static_cast<size_t>(add.outputs[0])];
        if (sum.dtype != LITE_FLOAT || !sum.shape_known) continue;
        for (int side = 0; side < 2; ++side) {
            const int conv_out = add.inputs[static_cast<size_t>(side)];
            Node* conv = sole_producer(graph, conv_out, static_cast<int>(n));
            if (!conv || conv->op_type != "Conv" || conv->dynamic || conv->inputs.size() > 3 || !only_linear_fused(*conv) ||
                !only_first_output_used(graph, *conv) || graph.values[static_cast<size_t>(conv_out)].shape != sum.shape) {
                continue;
            }
            const int other = add.inputs[static_cast<size_t>(1 - side)];
            if (graph.values[static_cast<size_t>(other)].shape != sum.shape) continue;  // no broadcasting
            const int residual = residual_source(graph, other, static_cast<int>(n));
            if (residual < 0) continue;
            // The residual must exist when the Conv runs: computed before it in node order.
            const int producer = graph.values[static_cast<size_t>(residual)].producer;
            const auto conv_index = static_cast<int>(conv - graph.nodes.data());
            if (producer >= conv_index) continue;
            if (!conv->kernel->fuse_residual_add()) continue;
            conv->residual = true;
            conv->inputs.resize(3, -1);
            conv->inputs.push_back(residual);
            conv->outputs[0] = add.outputs[0];
            append_fused(*conv, "Add");
            add.removed = true;
            graph.relink();
            break;
        }
    }
}

void optimize(Graph& graph) {
    // Each fold can expose the other (ConvTranspose → Add bias → BatchNormalization in PP-OCR det's head).
    while (fold_batch_norm(graph) | fold_conv_affine(graph)) {
    }
    fuse_hard_swish(graph);
    fuse_residual_add(graph);
    fuse_activations(graph);
}

void fuse_activations(Graph& graph) {
    graph.relink();
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        Node& act_node = graph.nodes[n];
        if (act_node.removed || act_node.inputs.empty()) continue;
        ops::Activation activation;
        int data = act_node.inputs[0];
        if (!scalar_affine(graph, act_node, data, activation) && !node_activation(graph, act_node, activation)) continue;
        if (data < 0 || graph.values[static_cast<size_t>(data)].dtype != LITE_FLOAT) continue;
        Node* producer = sole_producer(graph, data, static_cast<int>(n));
        if (!producer || producer->dynamic || producer->outputs.empty() || producer->outputs[0] != data) continue;
        if (!only_first_output_used(graph, *producer)) continue;
        if (!producer->kernel->fuse_activation(activation)) continue;
        if (!producer->activation.then(activation)) {
            // The kernel took it, so the combination is one activation; keep the description the same.
            throw Error(ErrorCode::Internal, producer->describe() + ": fused activations cannot be described as one");
        }
        producer->outputs[0] = act_node.outputs[0];
        append_fused(*producer, act_node.op_type);
        act_node.removed = true;
        graph.relink();
    }
}

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

void run_passes(Graph& graph, ThreadPool& pool, int opt_level) {
    infer_and_fold(graph, pool);
    if (opt_level > 0) optimize(graph);
    remove_dead_nodes(graph);
}

}  // namespace lite
