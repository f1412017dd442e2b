// Dropout at inference: output = input, and the optional mask is all ones (input's type before opset 10, bool
// from 10). From opset 12 ratio and training_mode are inputs; training_mode true is supported only with ratio 0
// (then it is the identity too): random dropout has no place in an inference runtime.
#include <cstring>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class DropoutKernel final : public Kernel {
public:
    // Before opset 7, is_test chose training; an inference runtime treats every Dropout as inference.
    DropoutKernel(const Attributes&, int opset) : m_opset(opset) {}
    void infer(InferContext& ctx) override {
        if (ctx.has_input(2)) {
            if (ctx.input_dtype(2) != LITE_BOOL || numel(ctx.input_shape(2)) != 1) ctx.fail("training_mode must be a bool scalar");
            const TensorView* training = ctx.input_value(2);
            if (training && training->as<uint8_t>()[0] && !zero_ratio(ctx.has_input(1) ? &ctx.require_value(1) : nullptr)) {
                ctx.fail(kTrainingUnsupported);
            }
        }
        ctx.set_output(0, ctx.input_dtype(0), ctx.input_shape(0));
        if (ctx.num_outputs() > 1) ctx.set_output(1, mask_dtype(ctx.input_dtype(0)), ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        if (ctx.has_input(2) && ctx.input(2).as<uint8_t>()[0] && !zero_ratio(ctx.has_input(1) ? &ctx.input(1) : nullptr)) {
            throw Error(ErrorCode::UnsupportedOp, kTrainingUnsupported);
        }
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        if (out.data != in.data) std::memcpy(out.data, in.data, in.nbytes());
        if (ctx.num_outputs() < 2) return;
        TensorView& mask = ctx.output(1);
        if (!mask.data) return;  // omitted
        if (mask.dtype == LITE_BOOL) {
            std::memset(mask.data, 1, mask.nbytes());
        } else if (mask.dtype == LITE_HALF) {
            uint16_t* m = mask.as<uint16_t>();
            const uint16_t one = float_to_half(1.f);
            for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = one;
        } else {
            dispatch_numeric(mask.dtype, [&](auto zero) {
                using T = decltype(zero);
                T* m = mask.as<T>();
                for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = T(1);
            });
        }
    }
    bool inplace_ok() const override { return true; }

private:
    static constexpr const char* kTrainingUnsupported =
            "training_mode true with a non-zero ratio (random dropout) is not supported; edgelite runs inference only";
    // The ratio input (default 0.5 when omitted) is 0.
    static bool zero_ratio(const TensorView* ratio) {
        return ratio && ratio->numel() == 1 && read_floats(*ratio)[0] == 0.f;
    }
    LiteDataType mask_dtype(LiteDataType input) const { return m_opset >= 10 ? LITE_BOOL : input; }
    int m_opset;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Dropout, DropoutKernel)
