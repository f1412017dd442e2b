// TopK: the k largest (or smallest) elements along `axis` and their int64 indices; ties keep the lower index first.
// k is an attribute before opset 10, then a 1-element int64 input (output shapes then depend on its value).
// Results are always sorted (sorted=0 leaves the order unspecified).
#include "ops/reduce_common.h"

#include <numeric>

namespace lite::ops {
namespace {

class TopKKernel final : public Kernel {
public:
    TopKKernel(const Attributes& attributes, int opset)
            : m_k_from_input(opset >= 10),
              m_k(attributes.get_int("k", -1)),
              m_axis(attributes.get_int("axis", -1)),
              m_largest(attributes.get_int("largest", 1) != 0) {
        if (!m_k_from_input && m_k < 0) attributes.fail("needs a non-negative attribute k before opset 10");
    }
    void infer(InferContext& ctx) override {
        switch (ctx.input_dtype(0)) {
            case LITE_FLOAT: case LITE_INT: case LITE_INT64: case LITE_INT8: case LITE_UINT8:
            case LITE_INT16: case LITE_UINT16: case LITE_UINT: break;
            default: ctx.fail(std::string("input element type ") + dtype_label(ctx.input_dtype(0)) + " is not supported");
        }
        const Shape& shape = ctx.input_shape(0);
        const int64_t axis = normalize_axis(m_axis, static_cast<int64_t>(shape.size()), ctx);
        if (shape.empty()) ctx.fail("input must have rank >= 1");
        int64_t k = m_k;
        if (m_k_from_input) {
            if (ctx.input_dtype(1) != LITE_INT64) ctx.fail("k must be an int64 tensor");
            const TensorView& value = ctx.require_value(1);
            if (value.numel() != 1) ctx.fail("k must hold exactly one value, it has shape " + shape_str(value.shape));
            k = read_ints(value)[0];
        }
        const int64_t n = shape[static_cast<size_t>(axis)];
        if (k < 0 || k > n) ctx.fail("k = " + std::to_string(k) + " is outside [0, " + std::to_string(n) + "] (axis " + std::to_string(axis) + " of " + shape_str(shape) + ")");
        Shape out = shape;
        out[static_cast<size_t>(axis)] = k;
        ctx.set_output(0, ctx.input_dtype(0), out);
        ctx.set_output(1, LITE_INT64, out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        dispatch_numeric(in.dtype, [&](auto zero) { compute<decltype(zero)>(in, ctx); });
    }

private:
    template <typename T>
    void compute(const TensorView& in, RunContext& ctx) const {
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        const int64_t axis = m_axis < 0 ? m_axis + rank : m_axis;
        const AxisSplit s = split_at_axis(in.shape, axis);
        const int64_t k = m_k_from_input ? read_ints(ctx.input(1))[0] : m_k;
        T* values = ctx.output(0).as<T>();                // null when the model omits an output
        int64_t* indices = ctx.output(1).as<int64_t>();
        const T* x = in.as<T>();
        const int64_t n = s.n, inner = s.inner;
        const bool largest = m_largest;
        if (k == 0 || s.outer * inner == 0) return;
        // A strict weak order: by value (NaN beyond every number, like numpy's sort), then lower index first.
        auto before = [largest](T a, int64_t ia, T b, int64_t ib) {
            if constexpr (std::is_floating_point_v<T>) {
                if (std::isnan(a) || std::isnan(b)) {
                    if (std::isnan(a) && std::isnan(b)) return ia < ib;
                    return largest ? std::isnan(a) : std::isnan(b);
                }
            }
            if (a != b) return largest ? a > b : a < b;
            return ia < ib;
        };
        ctx.parallel_for(s.outer * inner, [&](int64_t begin, int64_t end) {
            std::vector<int64_t> order(static_cast<size_t>(n));
            for (int64_t row = begin; row < end; ++row) {
                const int64_t o = row / inner, i = row % inner;
                const T* xr = x + o * n * inner + i;
                std::iota(order.begin(), order.end(), 0);
                std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
                    return before(xr[a * inner], a, xr[b * inner], b);
                });
                const int64_t dst = o * k * inner + i;
                for (int64_t j = 0; j < k; ++j) {
                    if (values) values[dst + j * inner] = xr[order[static_cast<size_t>(j)] * inner];
                    if (indices) indices[dst + j * inner] = order[static_cast<size_t>(j)];
                }
            }
        });
    }
    bool m_k_from_input;
    int64_t m_k, m_axis;
    bool m_largest;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(TopK, TopKKernel)
