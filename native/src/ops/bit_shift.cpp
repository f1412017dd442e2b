// BitShift: numpy-broadcasting x << y or x >> y (attribute direction, "LEFT" or "RIGHT") on unsigned integers
// (uint8, uint16, uint32; uint64 is not an edgelite element type). A shift by the bit width or more gives 0.
#include "ops/binary.h"

namespace lite::ops {
namespace {

class BitShiftKernel final : public BroadcastKernel {
public:
    BitShiftKernel(const Attributes& attributes, int) {
        std::string direction = attributes.get_string("direction", "");
        if (direction != "LEFT" && direction != "RIGHT") {
            attributes.fail("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"" + direction + "\"");
        }
        m_left = direction == "LEFT";
    }
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (dtype != LITE_UINT8 && dtype != LITE_UINT16 && dtype != LITE_UINT) {
            ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported (uint8, uint16, uint32)");
        }
        set_output0(ctx, dtype, shape);
    }
    void run(RunContext& ctx) override {
        switch (ctx.input(0).dtype) {
            case LITE_UINT8: compute<uint8_t>(ctx); break;
            case LITE_UINT16: compute<uint16_t>(ctx); break;
            default: compute<uint32_t>(ctx); break;
        }
    }

private:
    template <typename T>
    void compute(RunContext& ctx) const {
        constexpr T bits = sizeof(T) * 8;
        const TensorView &x = ctx.input(0), &y = ctx.input(1);
        TensorView& out = ctx.output(0);
        if (m_left) {
            broadcast_binary<T, T>(x, y, out, ctx, [](T a, T s) {
                return s >= bits ? T(0) : static_cast<T>(static_cast<uint32_t>(a) << s);
            });
        } else {
            broadcast_binary<T, T>(x, y, out, ctx, [](T a, T s) { return s >= bits ? T(0) : static_cast<T>(a >> s); });
        }
    }
    bool m_left = true;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(BitShift, BitShiftKernel)
