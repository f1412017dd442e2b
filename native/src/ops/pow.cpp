// Pow: numpy-broadcasting base ^ exponent; the output has the base's element type. The base is float32, float16,
// int32 or int64; the exponent any numeric type. Integer ^ integer is exact (wrapping) repeated multiplication;
// otherwise the power is computed in double and converted to the base's type (integers truncate, as numpy's
// power cast back to the base type does).
#include "ops/binary.h"

namespace lite::ops {
namespace {

template <typename T, typename E>
T power(T base, E exponent) {
    if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
        if (exponent < 0) {  // the true result truncated toward zero
            if (base == 1) return 1;
            if (base == -1) return (exponent % 2) ? T(-1) : T(1);
            return 0;
        }
        uint64_t result = 1, factor = static_cast<uint64_t>(static_cast<int64_t>(base));
        for (uint64_t e = static_cast<uint64_t>(exponent); e; e >>= 1) {
            if (e & 1) result *= factor;
            factor *= factor;
        }
        return static_cast<T>(result);
    } else {
        return convert_to<T>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
    }
}

class PowKernel final : public BroadcastKernel {
public:
    PowKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2 || !ctx.has_input(0) || !ctx.has_input(1)) ctx.fail("needs 2 inputs");
        LiteDataType base = ctx.input_dtype(0), exponent = ctx.input_dtype(1);
        if (base != LITE_FLOAT && base != LITE_HALF && base != LITE_INT && base != LITE_INT64) {
            ctx.fail(std::string("base element type ") + dtype_label(base) + " is not supported (float32, float16, int32, int64)");
        }
        if (!is_numeric_dtype(exponent)) ctx.fail(std::string("exponent element type ") + dtype_label(exponent) + " is not supported");
        set_output0(ctx, base, broadcast_shapes(ctx.input_shape(0), ctx.input_shape(1), ctx));
    }
    void run(RunContext& ctx) override {
        const TensorView& exponent = ctx.input(1);
        if (ctx.input(0).dtype == LITE_FLOAT && exponent.dtype == LITE_FLOAT && exponent.numel() == 1 &&
            exponent.as<float>()[0] == 2.f && ctx.output(0).shape == ctx.input(0).shape) {
            // x ^ 2 (variance in written-out layer norms): x * x is the same float as pow's result rounded,
            // since the product of two floats is exact in double.
            const float* x = ctx.input(0).as<float>();
            float* y = ctx.output(0).as<float>();
            ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) y[i] = x[i] * x[i];
            });
            return;
        }
        dispatch_arith(ctx.input(0).dtype, [&](auto base_zero) {
            using T = decltype(base_zero);
            if constexpr (std::is_same_v<T, float> || std::is_same_v<T, Half> || std::is_same_v<T, int32_t> ||
                          std::is_same_v<T, int64_t>) {
                dispatch_arith(ctx.input(1).dtype, [&](auto exponent_zero) {
                    using E = decltype(exponent_zero);
                    broadcast_mixed<T, E, T>(ctx.input(0), ctx.input(1), ctx.output(0), ctx, [](T a, E b) {
                        if constexpr (std::is_same_v<T, Half>) {
                            return static_cast<Half>(std::pow(static_cast<float>(a), static_cast<float>(b)));
                        } else if constexpr (std::is_same_v<E, Half>) {
                            return power<T, float>(a, static_cast<float>(b));
                        } else {
                            return power<T, E>(a, b);
                        }
                    });
                });
            }
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Pow, PowKernel)
