// And: numpy-broadcasting logical and of two bool tensors (any nonzero byte is true).
#include "ops/binary.h"

namespace lite::ops {
namespace {

class AndKernel final : public BroadcastKernel {
public:
    AndKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (dtype != LITE_BOOL) ctx.fail(std::string("inputs must be bool, got ") + dtype_label(dtype));
        set_output0(ctx, LITE_BOOL, shape);
    }
    void run(RunContext& ctx) override {
        broadcast_binary<uint8_t, uint8_t>(ctx.input(0), ctx.input(1), ctx.output(0), ctx,
                                           [](uint8_t x, uint8_t y) { return static_cast<uint8_t>((x != 0) && (y != 0)); });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(And, AndKernel)
