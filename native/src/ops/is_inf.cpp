// IsInf: bool output, over float32 and float16; detect_positive and detect_negative (both 1 by default) choose
// which infinities count.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class IsInfKernel final : public Kernel {
public:
    IsInfKernel(const Attributes& attributes, int)
            : m_positive(attributes.get_int("detect_positive", 1) != 0),
              m_negative(attributes.get_int("detect_negative", 1) != 0) {}
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t != LITE_FLOAT && t != LITE_HALF) ctx.fail(std::string("input must be float32 or float16, got ") + dtype_label(t));
        ctx.set_output(0, LITE_BOOL, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        uint8_t* y = ctx.output(0).as<uint8_t>();
        const bool positive = m_positive, negative = m_negative;
        if (in.dtype == LITE_FLOAT) {
            const float* x = in.as<float>();
            ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    const float v = x[i];
                    y[i] = std::isinf(v) && (v > 0.f ? positive : negative) ? 1 : 0;
                }
            });
        } else {
            const uint16_t* x = in.as<uint16_t>();
            ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    const uint16_t v = x[i];
                    y[i] = (v & 0x7fff) == 0x7c00 && ((v & 0x8000) ? negative : positive) ? 1 : 0;
                }
            });
        }
    }

private:
    bool m_positive, m_negative;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(IsInf, IsInfKernel)
