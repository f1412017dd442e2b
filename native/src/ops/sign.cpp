// Sign: -1, 0 or 1 over float32 (NaN stays NaN) and every integer type.
#include <cmath>
#include <type_traits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class SignKernel final : public Kernel {
public:
    SignKernel(const Attributes&, int) {}
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
            ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    const T v = x[i];
                    if constexpr (std::is_floating_point_v<T>) {
                        y[i] = std::isnan(v) ? v : static_cast<T>((v > 0) - (v < 0));
                    } else if constexpr (std::is_signed_v<T>) {
                        y[i] = static_cast<T>((v > 0) - (v < 0));
                    } else {
                        y[i] = static_cast<T>(v != 0);
                    }
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Sign, SignKernel)
