// GlobalAveragePool: the mean over all spatial dims of each (batch, channel) plane, float32. X (N, C, spatial...)
// gives Y (N, C, 1, ...).
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class GlobalAveragePoolKernel final : public Kernel {
public:
    GlobalAveragePoolKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("X must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        const Shape& x = ctx.input_shape(0);
        if (x.size() < 2) ctx.fail("X must have rank 2 or more (N, C, spatial...), got " + shape_str(x));
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
                // Four independent double accumulators over the contiguous plane (no single add chain).
                const float* xp = x + p * size;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int64_t i = 0;
                for (; i + 4 <= size; i += 4) {
                    s0 += xp[i];
                    s1 += xp[i + 1];
                    s2 += xp[i + 2];
                    s3 += xp[i + 3];
                }
                for (; i < size; ++i) s0 += xp[i];
                const double sum = (s0 + s1) + (s2 + s3);
                y[p] = size ? static_cast<float>(sum / size) : 0.f;
            }
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(GlobalAveragePool, GlobalAveragePoolKernel)
