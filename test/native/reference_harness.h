// Running an op's reference kernel (ops::find_op) on host tensors of any element type, for tests that hold another
// implementation to it: single-threaded InferContext/RunContext over owned tensors, attribute builders, a seeded
// random source, and the float comparison with the oracle tests' tolerance (dot products of length k reorder sums).
#pragma once

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/onnx/onnx_model.h"
#include "lite/layout.h"
#include "ops/op.h"

namespace lite::test {

struct HostTensor {
    LiteDataType dtype = LITE_FLOAT;
    ops::Shape shape;
    std::vector<uint8_t> bytes;
    bool constant = false;  //!< a model constant: infer sees its value

    ops::TensorView view() const { return {const_cast<uint8_t*>(bytes.data()), dtype, shape}; }
    int64_t numel() const { return ops::numel(shape); }
    float* floats() { return reinterpret_cast<float*>(bytes.data()); }
    const float* floats() const { return reinterpret_cast<const float*>(bytes.data()); }
    std::vector<float> float_vector() const { return std::vector<float>(floats(), floats() + numel()); }

    static HostTensor of_floats(ops::Shape shape, const std::vector<float>& values, bool constant = false) {
        HostTensor t{LITE_FLOAT, std::move(shape), {}, constant};
        t.bytes.resize(values.size() * sizeof(float));
        if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());  // empty: no pointers to pass
        return t;
    }
    static HostTensor of_int64s(const std::vector<int64_t>& values) {
        HostTensor t{LITE_INT64, {int64_t(values.size())}, {}, true};
        t.bytes.resize(values.size() * sizeof(int64_t));
        if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());  // empty: no pointers to pass
        return t;
    }
};

//! InferContext over host tensors; a missing input is nullptr.
class RefInfer final : public ops::InferContext {
public:
    RefInfer(std::vector<const HostTensor*> inputs, int opset) : m_inputs(std::move(inputs)), m_opset(opset) {
        for (const HostTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
    }
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i]; }
    LiteDataType input_dtype(size_t i) const override { return m_inputs.at(i)->dtype; }
    const ops::Shape& input_shape(size_t i) const override { return m_inputs.at(i)->shape; }
    const ops::TensorView* input_value(size_t i) const override {
        return has_input(i) && m_inputs[i]->constant ? &m_views[i] : nullptr;
    }
    size_t num_outputs() const override { return 1; }
    void set_output(size_t, LiteDataType dtype, const ops::Shape& shape) override {
        output_dtype = dtype;
        output_shape = shape;
    }
    int opset() const override { return m_opset; }
    [[noreturn]] void fail(const std::string& why) const override { throw std::runtime_error(why); }
    LiteDataType output_dtype = LITE_FLOAT;
    ops::Shape output_shape;

private:
    std::vector<const HostTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
    int m_opset;
};

//! RunContext over host tensors, on the calling thread; the output starts as 0xff bytes (NaN for floats).
class RefRun final : public ops::RunContext {
public:
    RefRun(std::vector<const HostTensor*> inputs, LiteDataType dtype, const ops::Shape& shape) : m_inputs(std::move(inputs)) {
        for (const HostTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
        out.dtype = dtype;
        out.shape = shape;
        out.bytes.assign(size_t(ops::numel(shape)) * dtype_size(dtype), 0xff);
        m_out = out.view();
    }
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i]; }
    const ops::TensorView& input(size_t i) const override { return m_views.at(i); }
    size_t num_outputs() const override { return 1; }
    ops::TensorView& output(size_t) override { return m_out; }
    ops::TensorView& allocate_output(size_t, LiteDataType, const ops::Shape&) override { return m_out; }
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const override {
        if (n > 0) fn(0, n);
    }
    HostTensor out;

private:
    std::vector<const HostTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
    ops::TensorView m_out;
};

//! How a reference run is set up beyond its inputs: the opset, and the producer fusions of the passes.
struct RefOptions {
    int opset = 13;
    ops::Activation activation;  //!< fused after infer (as the passes do) unless the identity
    bool residual = false;       //!< fuse_residual_add() before infer: input 3 is added before the activation
};

//! Output 0 of op's reference kernel on `inputs` (nullptr: an omitted input).
inline HostTensor run_reference(const std::string& op, const std::vector<onnx::Attribute>& attrs,
                                const std::vector<const HostTensor*>& inputs, const RefOptions& options = {}) {
    ops::Attributes attributes(attrs, "test " + op);
    std::unique_ptr<ops::Kernel> kernel = ops::find_op(op)->create(attributes, options.opset);
    if (options.residual && !kernel->fuse_residual_add()) throw std::runtime_error(op + " refused the residual");
    RefInfer infer(inputs, options.opset);
    kernel->infer(infer);
    if (!options.activation.identity() && !kernel->fuse_activation(options.activation)) {
        throw std::runtime_error(op + " refused the activation");
    }
    RefRun run(inputs, infer.output_dtype, infer.output_shape);
    kernel->run(run);
    return std::move(run.out);
}

inline onnx::Attribute int_attr(const std::string& name, int64_t v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Int;
    a.i = v;
    return a;
}
inline onnx::Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Ints;
    a.ints = std::move(v);
    return a;
}
inline onnx::Attribute float_attr(const std::string& name, float v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Float;
    a.f = v;
    return a;
}
inline onnx::Attribute string_attr(const std::string& name, const std::string& v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::String;
    a.s = v;
    return a;
}

inline std::string join(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
}

class Rng {
public:
    explicit Rng(uint32_t seed) : m_gen(seed) {}
    int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(m_gen); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_gen) < p; }
    template <typename T>
    T pick(std::initializer_list<T> values) { return *(values.begin() + range(0, int64_t(values.size()) - 1)); }
    std::vector<float> floats(int64_t n, float lo = -1.f, float hi = 1.f) {
        std::uniform_real_distribution<float> dist(lo, hi);
        std::vector<float> v(size_t(n > 0 ? n : 0));
        for (float& x : v) x = dist(m_gen);
        return v;
    }
    HostTensor tensor(ops::Shape shape, bool constant = false) {
        const int64_t n = ops::numel(shape);
        return HostTensor::of_floats(std::move(shape), floats(n), constant);
    }
    //! A random activation of every kind, sometimes with a post-activation affine part.
    ops::Activation activation() {
        ops::Activation act;
        act.kind = static_cast<ops::Activation::Kind>(range(0, ops::Activation::Tanh));
        if (act.kind == ops::Activation::Clip) {
            act.min = -0.5f + 0.1f * float(range(0, 4));
            act.max = act.min + 0.2f * float(range(1, 6));
        } else if (act.kind == ops::Activation::LeakyRelu) {
            act.alpha = 0.1f;
        } else if (act.kind == ops::Activation::HardSigmoid) {
            act.alpha = 0.2f;
            act.beta = 0.5f;
        }
        if (chance(0.25)) act.scale = 1.5f, act.shift = -0.25f;
        return act;
    }

private:
    std::mt19937 m_gen;
};

//! "" when got matches want within the tolerance of float sums of k terms (relative, times `scale`), NaN matching
//! NaN; else the first mismatch. k < 0: bit-exact.
inline std::string compare_floats(const std::vector<float>& want, const std::vector<float>& got, int64_t k, float scale = 1.f) {
    if (want.size() != got.size()) return "sizes differ: " + std::to_string(want.size()) + " vs " + std::to_string(got.size());
    const double tol = k < 0 ? 0 : 1e-5 * std::sqrt(double(k) + 1) * scale;
    for (size_t i = 0; i < want.size(); ++i) {
        const double w = want[i], g = got[i];
        if (std::isnan(w) && std::isnan(g)) continue;
        if (k < 0 ? std::memcmp(&want[i], &got[i], sizeof(float)) == 0 : std::fabs(w - g) <= tol * (1 + std::fabs(w))) continue;
        std::ostringstream os;
        os << "element " << i << " of " << want.size() << ": reference " << want[i] << ", kernel " << got[i];
        return os.str();
    }
    return "";
}

}  // namespace lite::test
