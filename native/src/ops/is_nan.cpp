// IsNaN: bool output, over float32 and float16.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class IsNaNKernel final : public Kernel {
public:
    IsNaNKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t != LITE_FLOAT && t != LITE_HALF) ctx.fail(std::string("input must be float32 or float16, got ") + dtype_label(t));
        ctx.set_output(0, LITE_BOOL, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        uint8_t* y = ctx.output(0).as<uint8_t>();
        if (in.dtype == LITE_FLOAT) {
            const float* x = in.as<float>();
            ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) y[i] = std::isnan(x[i]) ? 1 : 0;
            });
        } else {
            const uint16_t* x = in.as<uint16_t>();
            ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) y[i] = (x[i] & 0x7c00) == 0x7c00 && (x[i] & 0x3ff) ? 1 : 0;
            });
        }
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(IsNaN, IsNaNKernel)
