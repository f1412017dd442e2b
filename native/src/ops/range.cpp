// Range: start, start + delta, ... up to (not including) limit; max(ceil((limit - start) / delta), 0) elements.
// start, limit and delta are scalars of the output's type.
#include <cmath>

#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class RangeKernel final : public Kernel {
public:
    RangeKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        const LiteDataType dtype = ctx.input_dtype(0);
        const char* names[] = {"start", "limit", "delta"};
        for (size_t i = 0; i < 3; ++i) {
            if (ctx.input_dtype(i) != dtype) ctx.fail("start, limit and delta must have the same element type");
            require_scalar(ctx, i, names[i]);
        }
        if (dtype != LITE_FLOAT && dtype != LITE_INT && dtype != LITE_INT64 && dtype != LITE_INT16) {
            ctx.fail(std::string("element type ") + dtype_name(dtype) + " is not one of float32, int16, int32, int64");
        }
        int64_t count = 0;
        if (dtype == LITE_FLOAT) {
            double start = ctx.require_value(0).as<float>()[0], limit = ctx.require_value(1).as<float>()[0],
                   delta = ctx.require_value(2).as<float>()[0];
            if (delta == 0) ctx.fail("delta must not be 0");
            double n = std::ceil((limit - start) / delta);
            if (!std::isfinite(n)) ctx.fail("start, limit and delta give no finite count");
            count = n > 0 ? static_cast<int64_t>(n) : 0;
        } else {
            int64_t start = read_ints(ctx.require_value(0))[0], limit = read_ints(ctx.require_value(1))[0],
                    delta = read_ints(ctx.require_value(2))[0];
            if (delta == 0) ctx.fail("delta must not be 0");
            int64_t span = limit - start;
            if ((span > 0 && delta > 0) || (span < 0 && delta < 0)) {
                count = span / delta + (span % delta != 0 ? 1 : 0);
            }
        }
        ctx.set_output(0, dtype, {count});
    }
    void run(RunContext& ctx) override {
        TensorView& out = ctx.output(0);
        dispatch_numeric(out.dtype, [&](auto zero) {
            using T = decltype(zero);
            const T start = ctx.input(0).as<T>()[0], delta = ctx.input(2).as<T>()[0];
            T* dst = out.as<T>();
            for (int64_t i = 0; i < out.numel(); ++i) dst[i] = static_cast<T>(start + static_cast<T>(i) * delta);
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Range, RangeKernel)
