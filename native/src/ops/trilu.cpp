// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims and zeroes the rest;
// k is the optional scalar input 1 (default 0).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class TriluKernel final : public Kernel {
public:
    TriluKernel(const Attributes& attributes, int) : m_upper(attributes.get_int("upper", 1) != 0) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_shape(0).size() < 2) ctx.fail("input must have at least 2 dims, got " + shape_str(ctx.input_shape(0)));
        if (ctx.has_input(1)) {
            if (ctx.input_dtype(1) != LITE_INT64) ctx.fail("k must be int64");
            require_scalar(ctx, 1, "k");
        }
        ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        const int64_t k = ctx.has_input(1) ? ctx.input(1).as<int64_t>()[0] : 0;
        const size_t rank = in.shape.size();
        const int64_t rows = in.shape[rank - 2], cols = in.shape[rank - 1];
        const bool upper = m_upper;
        dispatch_bytes(dtype_size(in.dtype), [&](auto zero) {
            using T = decltype(zero);
            const T* src = in.as<T>();
            T* dst = out.as<T>();
            ctx.parallel_for(numel(in.shape) / std::max<int64_t>(cols, 1), [&](int64_t begin, int64_t end) {
                for (int64_t r = begin; r < end; ++r) {
                    const int64_t i = r % rows;
                    const T* s = src + r * cols;
                    T* d = dst + r * cols;
                    for (int64_t j = 0; j < cols; ++j) {
                        const bool keep = upper ? j - i >= k : j - i <= k;
                        d[j] = keep ? s[j] : T{0};
                    }
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }

private:
    bool m_upper;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Trilu, TriluKernel)
