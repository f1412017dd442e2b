// Neg over float32 and the signed integer types.
#include <type_traits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class NegKernel final : public Kernel {
public:
    NegKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        LiteDataType t = ctx.input_dtype(0);
        if (t != LITE_FLOAT && t != LITE_INT && t != LITE_INT64 && t != LITE_INT8 && t != LITE_INT16) {
            ctx.fail(std::string("input element type ") + dtype_label(t) + " is not supported (float32 or a signed integer)");
        }
        ctx.set_output(0, t, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            if constexpr (std::is_signed_v<T>) {
                const T* x = ctx.input(0).as<T>();
                T* y = ctx.output(0).as<T>();
                ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
                    for (int64_t i = begin; i < end; ++i) y[i] = static_cast<T>(-x[i]);
                });
            }
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Neg, NegKernel)
