// Clip: min(max(x, lo), hi). Before opset 11 the bounds are the float attributes min and max; from opset 11 they
// are optional scalar inputs 1 and 2 of the input's type. Float32 and the integer types. Fusable as an
// activation when the bounds are known at load.
#include <algorithm>
#include <cfloat>
#include <limits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class ClipKernel final : public Kernel {
public:
    ClipKernel(const Attributes& attributes, int opset) : m_bounds_are_inputs(opset >= 11) {
        if (!m_bounds_are_inputs) {
            m_min = attributes.get_float("min", -FLT_MAX);
            m_max = attributes.get_float("max", FLT_MAX);
        }
    }
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t == LITE_BOOL || t == LITE_HALF) ctx.fail(std::string("input element type ") + dtype_label(t) + " is not supported");
        if (!m_bounds_are_inputs && t != LITE_FLOAT) ctx.fail("before opset 11, Clip takes float32 input only");
        m_has_min = false;
        m_has_max = false;
        if (m_bounds_are_inputs) {
            for (size_t i = 1; i <= 2; ++i) {
                if (!ctx.has_input(i)) continue;
                (i == 1 ? m_has_min : m_has_max) = true;
                if (ctx.input_dtype(i) != t) ctx.fail("input " + std::to_string(i) + " must have the element type of input 0");
                if (numel(ctx.input_shape(i)) != 1) {
                    ctx.fail("input " + std::to_string(i) + " must be a scalar, got shape " + shape_str(ctx.input_shape(i)));
                }
            }
        }
        m_float = t == LITE_FLOAT;
        m_inferred = true;
        ctx.set_output(0, t, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
            if (!m_bounds_are_inputs) {
                lo = static_cast<T>(m_min);
                hi = static_cast<T>(m_max);
            } else {
                if (ctx.has_input(1)) lo = ctx.input(1).as<T>()[0];
                if (ctx.has_input(2)) hi = ctx.input(2).as<T>()[0];
            }
            const T* x = ctx.input(0).as<T>();
            T* y = ctx.output(0).as<T>();
            // As onnxruntime and the ONNX reference: max first, then min (so lo > hi gives hi).
            // std::max(x, lo) is x < lo ? lo : x and std::min(v, hi) is hi < v ? hi : v (NaN passes through):
            // branch-free, so the loops vectorise. In place, one pointer (no alias checks).
            ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
                const T l = lo, h = hi;
                const int64_t n = end - begin;
                if (x == y) {
                    T* v = y + begin;
                    for (int64_t i = 0; i < n; ++i) v[i] = std::min(std::max(v[i], l), h);
                } else {
                    const T* __restrict src = x + begin;
                    T* __restrict dst = y + begin;
                    for (int64_t i = 0; i < n; ++i) dst[i] = std::min(std::max(src[i], l), h);
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }
    bool as_activation(const std::vector<const TensorView*>& constant_inputs, Activation& out) const override {
        // Which bounds are inputs, and the element type, are known only once infer has run.
        if (!m_inferred || !m_float) return false;
        Activation activation;
        activation.kind = Activation::Clip;
        if (!m_bounds_are_inputs) {
            activation.min = m_min;
            activation.max = m_max;
        } else {
            const bool has[3] = {false, m_has_min, m_has_max};
            float* bound[3] = {nullptr, &activation.min, &activation.max};
            for (size_t i = 1; i <= 2; ++i) {
                if (!has[i]) continue;
                const TensorView* value = i < constant_inputs.size() ? constant_inputs[i] : nullptr;
                if (!value || value->dtype != LITE_FLOAT || value->numel() != 1) return false;
                *bound[i] = value->as<float>()[0];
            }
        }
        if (activation.min > activation.max) return false;  // the kernel then gives max everywhere; keep it
        out = activation;
        return true;
    }

private:
    bool m_bounds_are_inputs;
    float m_min = -FLT_MAX, m_max = FLT_MAX;
    bool m_inferred = false, m_float = false, m_has_min = false, m_has_max = false;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Clip, ClipKernel)
