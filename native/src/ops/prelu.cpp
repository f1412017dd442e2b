// PRelu: x < 0 ? slope * x : x, with slope broadcast to x's shape (unidirectional). Float32 and the integer
// types.
#include <type_traits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class PReluKernel final : public Kernel {
public:
    PReluKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t == LITE_BOOL || t == LITE_HALF) ctx.fail(std::string("input element type ") + dtype_label(t) + " is not supported");
        if (ctx.input_dtype(1) != t) ctx.fail("slope must have the element type of X");
        const Shape& x = ctx.input_shape(0);
        const Shape& slope = ctx.input_shape(1);
        if (slope.size() > x.size() || broadcast_shapes(x, slope, ctx) != x) {
            ctx.fail("slope of shape " + shape_str(slope) + " does not broadcast to X of shape " + shape_str(x));
        }
        ctx.set_output(0, t, x);
    }
    void run(RunContext& ctx) override {
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_binary<T, T>(ctx.input(0), ctx.input(1), ctx.output(0), ctx, [](T x, T slope) {
                if constexpr (std::is_signed_v<T>) {
                    return x < 0 ? static_cast<T>(slope * x) : x;
                } else {
                    (void)slope;
                    return x;
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(PRelu, PReluKernel)
