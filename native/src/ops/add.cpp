// Add, and the pattern of every broadcasting arithmetic op (Sub, Mul, Div, ...).
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class AddKernel final : public Kernel {
public:
    AddKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != ctx.input_dtype(1)) ctx.fail("inputs have different element types");
        ctx.set_output(0, ctx.input_dtype(0), broadcast_shapes(ctx.input_shape(0), ctx.input_shape(1), ctx));
    }
    void run(RunContext& ctx) override {
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_binary<T, T>(ctx.input(0), ctx.input(1), ctx.output(0), ctx, [](T a, T b) { return static_cast<T>(a + b); });
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Add, AddKernel)
