// Div: numpy-broadcasting a / b. Integer division truncates toward zero (numpy's divide cast back to the integer
// type, which the ONNX tests expect); an integer division by zero gives 0 and INT_MIN / -1 wraps around.
#include "ops/binary.h"

namespace lite::ops {
namespace {

class DivKernel final : public BroadcastKernel {
public:
    DivKernel(const Attributes&, int) {}
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
                    if (b == 0) return T(0);
                    if constexpr (std::is_signed_v<T>) {
                        if (b == -1) return static_cast<T>(wrap_t<T>(0) - static_cast<wrap_t<T>>(a));
                    }
                    return static_cast<T>(a / b);
                } else {
                    return static_cast<T>(a / b);
                }
            });
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Div, DivKernel)
