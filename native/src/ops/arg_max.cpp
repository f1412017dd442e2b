// ArgMax: int64 index of the maximum along `axis` (the first one, or the last with select_last_index); keepdims.
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

class ArgMaxKernel final : public Kernel {
public:
    ArgMaxKernel(const Attributes& attributes, int)
            : m_axis(attributes.get_int("axis", 0)),
              m_keepdims(attributes.get_int("keepdims", 1) != 0),
              m_select_last(attributes.get_int("select_last_index", 0) != 0) {}
    void infer(InferContext& ctx) override {
        const Shape& shape = ctx.input_shape(0);
        switch (ctx.input_dtype(0)) {
            case LITE_FLOAT: case LITE_INT: case LITE_INT64: case LITE_INT8: case LITE_UINT8:
            case LITE_INT16: case LITE_UINT16: case LITE_UINT: break;
            default: ctx.fail(std::string("input element type ") + dtype_label(ctx.input_dtype(0)) + " is not supported");
        }
        const int64_t axis = normalize_axis(m_axis, static_cast<int64_t>(shape.size()), ctx);
        if (shape.empty() || shape[static_cast<size_t>(axis)] == 0) ctx.fail("ArgMax needs a non-empty axis, input is " + shape_str(shape));
        Shape out = shape;
        if (m_keepdims) out[static_cast<size_t>(axis)] = 1;
        else out.erase(out.begin() + axis);
        ctx.set_output(0, LITE_INT64, out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        dispatch_numeric(in.dtype, [&](auto zero) { compute<decltype(zero)>(in, ctx.output(0).as<int64_t>(), ctx); });
    }

private:
    template <typename T>
    void compute(const TensorView& in, int64_t* y, RunContext& ctx) const {
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        const AxisSplit s = split_at_axis(in.shape, m_axis < 0 ? m_axis + rank : m_axis);
        const T* x = in.as<T>();
        const int64_t n = s.n, inner = s.inner;
        const bool last = m_select_last;
        ctx.parallel_for(s.outer, [&](int64_t begin, int64_t end) {
            for (int64_t o = begin; o < end; ++o) {
                const T* xo = x + o * n * inner;
                int64_t* yo = y + o * inner;
                for (int64_t i = 0; i < inner; ++i) yo[i] = 0;
                for (int64_t j = 1; j < n; ++j) {
                    for (int64_t i = 0; i < inner; ++i) {
                        if (better(xo[j * inner + i], xo[yo[i] * inner + i], last)) yo[i] = j;
                    }
                }
            }
        });
    }
    // Whether candidate x (at a later index) replaces the best so far; NaN counts as the maximum, like numpy.
    template <typename T>
    static bool better(T x, T best, bool last) {
        if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(best)) return last && std::isnan(x);
            if (std::isnan(x)) return true;
        }
        return last ? x >= best : x > best;
    }
    int64_t m_axis;
    bool m_keepdims, m_select_last;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ArgMax, ArgMaxKernel)
