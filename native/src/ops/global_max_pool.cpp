// GlobalMaxPool: the max over all spatial dims of each (batch, channel) plane, float32. X (N, C, spatial...)
// gives Y (N, C, 1, ...).
#include <limits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class GlobalMaxPoolKernel final : public Kernel {
public:
    GlobalMaxPoolKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("X must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        const Shape& x = ctx.input_shape(0);
        if (x.size() < 2) ctx.fail("X must have rank 2 or more (N, C, spatial...), got " + shape_str(x));
        for (size_t i = 2; i < x.size(); ++i) {
            if (x[i] == 0) ctx.fail("X " + shape_str(x) + " has an empty spatial dim: the max is undefined");
        }
        Shape out(x.size(), 1);
        out[0] = x[0];
        out[1] = x[1];
        ctx.set_output(0, LITE_FLOAT, out);
    }
    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t planes = xv.shape[0] * xv.shape[1];
        const int64_t size = planes ? xv.numel() / planes : 0;
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                float best = -std::numeric_limits<float>::infinity();
                for (int64_t i = 0; i < size; ++i) {
                    const float v = x[p * size + i];
                    if (v > best || v != v) best = v;  // NaN propagates, like numpy
                    if (v != v) break;
                }
                y[p] = best;
            }
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(GlobalMaxPool, GlobalMaxPoolKernel)
