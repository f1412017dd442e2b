// Shared pieces of the op interface: attribute access, broadcasting, number conversions, the registry.
#include "ops/op.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/onnx/onnx_model.h"
#include "lite/layout.h"

namespace lite::ops {

int64_t numel(const Shape& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::string shape_str(const Shape& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
    return text + "]";
}

size_t TensorView::nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }

Attributes::Attributes(const std::vector<onnx::Attribute>& attributes, std::string node_desc)
        : m_attributes(attributes), m_node_desc(std::move(node_desc)) {}

void Attributes::fail(const std::string& why) const {
    throw Error(ErrorCode::InvalidModel, m_node_desc + ": " + why);
}

const onnx::Attribute* Attributes::find(const std::string& name, int type) const {
    for (const auto& attribute : m_attributes) {
        if (attribute.name != name) continue;
        if (attribute.type != type && attribute.type != onnx::Attribute::Undefined) {
            fail("attribute '" + name + "' has type " + std::to_string(attribute.type) + ", expected " +
                 std::to_string(type));
        }
        return &attribute;
    }
    return nullptr;
}

bool Attributes::has(const std::string& name) const {
    return std::any_of(m_attributes.begin(), m_attributes.end(), [&](const auto& a) { return a.name == name; });
}

int64_t Attributes::get_int(const std::string& name, int64_t fallback) const {
    const auto* a = find(name, onnx::Attribute::Int);
    return a ? a->i : fallback;
}

int64_t Attributes::get_int(const std::string& name) const {
    const auto* a = find(name, onnx::Attribute::Int);
    if (!a) fail("required attribute '" + name + "' is missing");
    return a->i;
}

float Attributes::get_float(const std::string& name, float fallback) const {
    const auto* a = find(name, onnx::Attribute::Float);
    return a ? a->f : fallback;
}

std::string Attributes::get_string(const std::string& name, const std::string& fallback) const {
    const auto* a = find(name, onnx::Attribute::String);
    return a ? a->s : fallback;
}

std::vector<int64_t> Attributes::get_ints(const std::string& name, const std::vector<int64_t>& fallback) const {
    const auto* a = find(name, onnx::Attribute::Ints);
    return a ? a->ints : fallback;
}

std::vector<float> Attributes::get_floats(const std::string& name, const std::vector<float>& fallback) const {
    const auto* a = find(name, onnx::Attribute::Floats);
    return a ? a->floats : fallback;
}

std::vector<std::string> Attributes::get_strings(const std::string& name) const {
    const auto* a = find(name, onnx::Attribute::Strings);
    return a ? a->strings : std::vector<std::string>{};
}

std::shared_ptr<Attributes::OwnedTensor> Attributes::get_tensor(const std::string& name) const {
    const auto* a = find(name, onnx::Attribute::Tensor);
    if (!a || !a->t) return nullptr;
    auto owned = std::make_shared<OwnedTensor>();
    LiteDataType dtype;
    if (!onnx::to_lite_dtype(a->t->onnx_type, dtype)) {
        throw Error(ErrorCode::UnsupportedOp, m_node_desc + ": attribute '" + name + "' has element type " +
                                                  onnx::onnx_type_name(a->t->onnx_type) + ", which edgelite does not run");
    }
    std::string_view data = a->t->data();
    owned->view.dtype = dtype;
    owned->view.shape = a->t->dims;
    if (data.size() != owned->view.nbytes()) {
        fail("attribute '" + name + "' holds " + std::to_string(data.size()) + " bytes, its shape needs " +
             std::to_string(owned->view.nbytes()));
    }
    owned->bytes.assign(data.begin(), data.end());
    owned->bytes.resize(std::max<size_t>(owned->bytes.size(), 1));
    owned->view.data = owned->bytes.data();
    return owned;
}

bool Activation::then(const Activation& next) {
    if (next.kind == None) {
        shift = shift * next.scale + next.shift;
        scale *= next.scale;
        return true;
    }
    if (!identity()) return false;
    *this = next;
    return true;
}

float Activation::apply(float x) const {
    return has_affine() ? apply_kind(x) * scale + shift : apply_kind(x);
}

float Activation::apply_kind(float x) const {
    switch (kind) {
        case None: return x;
        case Relu: return x > 0.f ? x : 0.f;
        case Clip: return x < min ? min : (x > max ? max : x);
        case LeakyRelu: return x >= 0.f ? x : alpha * x;
        case Sigmoid: return 1.f / (1.f + std::exp(-x));
        case HardSigmoid: return std::max(0.f, std::min(1.f, alpha * x + beta));
        case HardSwish: return x * std::max(0.f, std::min(1.f, x / 6.f + 0.5f));
        case Tanh: return std::tanh(x);
    }
    return x;
}

const char* Activation::name() const {
    static const char* names[] = {"None", "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh"};
    return names[kind];
}

const TensorView& InferContext::require_value(size_t i) const {
    const TensorView* value = input_value(i);
    if (!value) throw ValueNotKnown{};
    return *value;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const InferContext& ctx) {
    size_t rank = std::max(a.size(), b.size());
    Shape out(rank);
    for (size_t i = 0; i < rank; ++i) {
        int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1) {
            ctx.fail("shapes " + shape_str(a) + " and " + shape_str(b) + " cannot be broadcast together");
        }
        out[i] = da == 1 ? db : da;
    }
    return out;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const InferContext& ctx) {
    if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
        ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    }
    return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> read_ints(const TensorView& tensor) {
    std::vector<int64_t> values(static_cast<size_t>(tensor.numel()));
    for (size_t i = 0; i < values.size(); ++i) {
        switch (tensor.dtype) {
            case LITE_INT64: values[i] = tensor.as<int64_t>()[i]; break;
            case LITE_INT: values[i] = tensor.as<int32_t>()[i]; break;
            case LITE_INT16: values[i] = tensor.as<int16_t>()[i]; break;
            case LITE_INT8: values[i] = tensor.as<int8_t>()[i]; break;
            case LITE_UINT8: case LITE_BOOL: values[i] = tensor.as<uint8_t>()[i]; break;
            case LITE_UINT16: values[i] = tensor.as<uint16_t>()[i]; break;
            case LITE_UINT: values[i] = tensor.as<uint32_t>()[i]; break;
            case LITE_FLOAT: values[i] = static_cast<int64_t>(tensor.as<float>()[i]); break;
            case LITE_HALF: values[i] = static_cast<int64_t>(half_to_float(tensor.as<uint16_t>()[i])); break;
            default: break;
        }
    }
    return values;
}

std::vector<float> read_floats(const TensorView& tensor) {
    std::vector<float> values(static_cast<size_t>(tensor.numel()));
    for (size_t i = 0; i < values.size(); ++i) {
        switch (tensor.dtype) {
            case LITE_FLOAT: values[i] = tensor.as<float>()[i]; break;
            case LITE_HALF: values[i] = half_to_float(tensor.as<uint16_t>()[i]); break;
            case LITE_INT64: values[i] = static_cast<float>(tensor.as<int64_t>()[i]); break;
            case LITE_INT: values[i] = static_cast<float>(tensor.as<int32_t>()[i]); break;
            case LITE_INT16: values[i] = tensor.as<int16_t>()[i]; break;
            case LITE_INT8: values[i] = tensor.as<int8_t>()[i]; break;
            case LITE_UINT8: case LITE_BOOL: values[i] = tensor.as<uint8_t>()[i]; break;
            case LITE_UINT16: values[i] = tensor.as<uint16_t>()[i]; break;
            case LITE_UINT: values[i] = static_cast<float>(tensor.as<uint32_t>()[i]); break;
            default: break;
        }
    }
    return values;
}

float half_to_float(uint16_t bits) {
    float sign = (bits & 0x8000) ? -1.0f : 1.0f;
    int exponent = (bits >> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);  // zero and subnormals
    if (exponent == 0x1f) return mantissa ? std::nanf("") : sign * INFINITY;
    return sign * std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
}

uint16_t float_to_half(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    uint32_t sign = (bits >> 16) & 0x8000;
    uint32_t exponent = (bits >> 23) & 0xff;
    uint32_t mantissa = bits & 0x7fffff;
    if (exponent == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mantissa ? 0x200 : 0));
    int32_t e = static_cast<int32_t>(exponent) - 127 + 15;
    if (e >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00);
    if (e <= 0) {
        if (e < -10) return static_cast<uint16_t>(sign);
        mantissa |= 0x800000;
        uint32_t shift = static_cast<uint32_t>(14 - e);
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1))) ++half;
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = sign | static_cast<uint32_t>(e) << 10 | mantissa >> 13;
    uint32_t rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // round to nearest even
    return static_cast<uint16_t>(half);
}

// The registry: one line per op in op_list.inc.
#define EDGELITE_OP_ENTRY(NAME) std::unique_ptr<Kernel> create_op_##NAME(const Attributes&, int);
#include "ops/op_list.inc"
#undef EDGELITE_OP_ENTRY

const std::vector<OpInfo>& all_ops() {
    static const std::vector<OpInfo> ops = [] {
        std::vector<OpInfo> list = {
#define EDGELITE_OP_ENTRY(NAME) {#NAME, create_op_##NAME},
#include "ops/op_list.inc"
#undef EDGELITE_OP_ENTRY
        };
        std::sort(list.begin(), list.end(), [](const OpInfo& a, const OpInfo& b) {
            return std::string(a.name) < std::string(b.name);
        });
        return list;
    }();
    return ops;
}

const OpInfo* find_op(const std::string& op_type) {
    for (const auto& op : all_ops()) {
        if (op_type == op.name) return &op;
    }
    return nullptr;
}

}  // namespace lite::ops
