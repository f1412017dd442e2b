// Abs over float32 and every integer type (unsigned types are their own absolute value).
#include <cmath>
#include <type_traits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class AbsKernel final : public Kernel {
public:
    AbsKernel(const Attributes&, int) {}
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
                    if constexpr (std::is_floating_point_v<T>) {
                        y[i] = std::fabs(x[i]);
                    } else if constexpr (std::is_signed_v<T>) {
                        y[i] = static_cast<T>(x[i] < 0 ? -x[i] : x[i]);
                    } else {
                        y[i] = x[i];
                    }
                }
            });
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Abs, AbsKernel)
