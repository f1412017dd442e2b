// Equal: numpy-broadcasting a == b with a bool output; inputs of any numeric type or bool (same type).
#include "ops/binary.h"

namespace lite::ops {
namespace {

class EqualKernel final : public BroadcastKernel {
public:
    EqualKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (!is_numeric_dtype(dtype) && dtype != LITE_BOOL) {
            ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        }
        set_output0(ctx, LITE_BOOL, shape);
    }
    void run(RunContext& ctx) override {
        const TensorView &a = ctx.input(0), &b = ctx.input(1);
        TensorView& out = ctx.output(0);
        if (a.dtype == LITE_BOOL) {
            broadcast_binary<uint8_t, uint8_t>(a, b, out, ctx, [](uint8_t x, uint8_t y) {
                return static_cast<uint8_t>((x != 0) == (y != 0));
            });
            return;
        }
        dispatch_arith(a.dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_binary<T, uint8_t>(a, b, out, ctx, [](T x, T y) { return static_cast<uint8_t>(x == y); });
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Equal, EqualKernel)
