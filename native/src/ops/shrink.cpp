// Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0); bias 0 and lambd 0.5 by default. Float32 and the
// integer types (computed in double, then converted back).
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class ShrinkKernel final : public Kernel {
public:
    ShrinkKernel(const Attributes& attributes, int)
            : m_bias(attributes.get_float("bias", 0.f)), m_lambd(attributes.get_float("lambd", 0.5f)) {}
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t == LITE_BOOL || t == LITE_HALF) ctx.fail(std::string("input element type ") + dtype_label(t) + " is not supported");
        ctx.set_output(0, t, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            const T* x = ctx.input(0).as<T>();
            T* y = ctx.output(0).as<T>();
            const double bias = m_bias, lambd = m_lambd;
            ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    const double v = static_cast<double>(x[i]);
                    y[i] = static_cast<T>(v < -lambd ? v + bias : (v > lambd ? v - bias : 0.0));
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }

private:
    float m_bias, m_lambd;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Shrink, ShrinkKernel)
