// Max: elementwise maximum of any number of inputs, all broadcast together; NaN propagates.
#include "ops/binary.h"

namespace lite::ops {
namespace {

class MaxKernel final : public BroadcastKernel {
public:
    MaxKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (!is_numeric_dtype(dtype)) ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        set_output0(ctx, dtype, shape);
    }
    void run(RunContext& ctx) override {
        dispatch_arith(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_fold<T>(ctx, [](T a, T b) { return (b > a || b != b) ? b : a; });
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Max, MaxKernel)
