// Mod: numpy-broadcasting remainder. fmod=1: C fmod, the result has the dividend's sign (integers: truncated
// division's remainder). fmod=0 (integers only, as the spec requires): the result has the divisor's sign, like
// Python's %. An integer remainder by zero gives 0.
#include "ops/binary.h"

namespace lite::ops {
namespace {

class ModKernel final : public BroadcastKernel {
public:
    ModKernel(const Attributes& attributes, int) {
        int64_t fmod = attributes.get_int("fmod", 0);
        if (fmod != 0 && fmod != 1) attributes.fail("attribute 'fmod' must be 0 or 1, got " + std::to_string(fmod));
        m_fmod = fmod == 1;
    }
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 2) ctx.fail("needs 2 inputs");
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (!is_numeric_dtype(dtype)) ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        if (!m_fmod && (dtype == LITE_FLOAT || dtype == LITE_HALF)) {
            ctx.fail("floating-point inputs need fmod=1");
        }
        set_output0(ctx, dtype, shape);
    }
    void run(RunContext& ctx) override {
        dispatch_arith(ctx.input(0).dtype, [&](auto zero) {
            using T = decltype(zero);
            const TensorView &a = ctx.input(0), &b = ctx.input(1);
            TensorView& out = ctx.output(0);
            if constexpr (!std::is_integral_v<T>) {
                broadcast_binary<T, T>(a, b, out, ctx, [](T x, T y) {
                    return static_cast<T>(std::fmod(static_cast<float>(x), static_cast<float>(y)));
                });
            } else if (m_fmod) {
                broadcast_binary<T, T>(a, b, out, ctx, [](T x, T y) { return truncated_rem(x, y); });
            } else {
                broadcast_binary<T, T>(a, b, out, ctx, [](T x, T y) {
                    T r = truncated_rem(x, y);
                    if constexpr (std::is_signed_v<T>) {
                        if (r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
                    }
                    return r;
                });
            }
        });
    }

private:
    template <typename T>
    static T truncated_rem(T x, T y) {
        if (y == 0) return 0;
        if constexpr (std::is_signed_v<T>) {
            if (y == -1) return 0;  // also avoids INT_MIN % -1
        }
        return static_cast<T>(x % y);
    }
    bool m_fmod = false;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Mod, ModKernel)
