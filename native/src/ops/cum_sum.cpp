// CumSum: running sums along the axis given by input 1 (an int32/int64 scalar); `exclusive` leaves out the current
// element, `reverse` sums from the end.
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

class CumSumKernel final : public Kernel {
public:
    CumSumKernel(const Attributes& attributes, int)
            : m_exclusive(attributes.get_int("exclusive", 0) != 0), m_reverse(attributes.get_int("reverse", 0) != 0) {}
    void infer(InferContext& ctx) override {
        switch (ctx.input_dtype(0)) {
            case LITE_FLOAT: case LITE_INT: case LITE_INT64: case LITE_UINT: break;
            default: ctx.fail(std::string("input element type ") + dtype_label(ctx.input_dtype(0)) + " is not supported");
        }
        if (ctx.input_dtype(1) != LITE_INT64 && ctx.input_dtype(1) != LITE_INT) ctx.fail("axis must be int32 or int64");
        if (numel(ctx.input_shape(1)) != 1) ctx.fail("axis must be a scalar, it has shape " + shape_str(ctx.input_shape(1)));
        const int64_t rank = static_cast<int64_t>(ctx.input_shape(0).size());
        if (rank == 0) ctx.fail("input must have rank >= 1");
        if (const TensorView* axis = ctx.input_value(1)) normalize_axis(read_ints(*axis)[0], rank, ctx);
        ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        int64_t axis = read_ints(ctx.input(1))[0];
        if (axis < -rank || axis >= rank) throw Error(ErrorCode::InvalidArgument, "CumSum: axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
        if (axis < 0) axis += rank;
        dispatch_numeric(in.dtype, [&](auto zero) { compute<decltype(zero)>(in, ctx.output(0), axis, ctx); });
    }
    bool inplace_ok() const override { return true; }

private:
    template <typename T>
    void compute(const TensorView& in, TensorView& out, int64_t axis, RunContext& ctx) const {
        const AxisSplit s = split_at_axis(in.shape, axis);
        const T* x = in.as<T>();
        T* y = out.as<T>();
        const int64_t n = s.n, inner = s.inner;
        const bool exclusive = m_exclusive, reverse = m_reverse;
        if (in.numel() == 0) return;
        ctx.parallel_for(s.outer, [&](int64_t begin, int64_t end) {
            std::vector<T> sum(static_cast<size_t>(inner));
            for (int64_t o = begin; o < end; ++o) {
                std::fill(sum.begin(), sum.end(), T(0));
                for (int64_t step = 0; step < n; ++step) {
                    const int64_t j = reverse ? n - 1 - step : step;
                    const T* xr = x + (o * n + j) * inner;
                    T* yr = y + (o * n + j) * inner;
                    for (int64_t i = 0; i < inner; ++i) {
                        const T v = xr[i];  // read before writing: the output may be the input
                        if (exclusive) {
                            yr[i] = sum[i];
                            sum[i] = static_cast<T>(sum[i] + v);
                        } else {
                            sum[i] = static_cast<T>(sum[i] + v);
                            yr[i] = sum[i];
                        }
                    }
                }
            }
        });
    }
    bool m_exclusive, m_reverse;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(CumSum, CumSumKernel)
