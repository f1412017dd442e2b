// Less: numpy-broadcasting a < b with a bool output; inputs of any numeric type (same type).
#include "ops/binary.h"

namespace lite::ops {
namespace {

class LessKernel final : public BroadcastKernel {
public:
    LessKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (!is_numeric_dtype(dtype)) ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        set_output0(ctx, LITE_BOOL, shape);
    }
    void run(RunContext& ctx) override {
        dispatch_arith(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_binary<T, uint8_t>(ctx.input(0), ctx.input(1), ctx.output(0), ctx,
                                         [](T x, T y) { return static_cast<uint8_t>(x < y); });
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Less, LessKernel)
