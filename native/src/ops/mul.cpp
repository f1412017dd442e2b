// Mul: numpy-broadcasting a * b on every numeric type (integers wrap around).
#include "ops/binary.h"

namespace lite::ops {
namespace {

class MulKernel final : public BroadcastKernel {
public:
    MulKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (!is_numeric_dtype(dtype)) ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        set_output0(ctx, dtype, shape);
    }
    void run(RunContext& ctx) override {
        dispatch_arith(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            broadcast_binary<T, T>(ctx.input(0), ctx.input(1), ctx.output(0), ctx, [](T a, T b) {
                if constexpr (std::is_integral_v<T>) {
                    return static_cast<T>(static_cast<wrap_t<T>>(a) * static_cast<wrap_t<T>>(b));
                } else {
                    return static_cast<T>(a * b);
                }
            });
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Mul, MulKernel)
