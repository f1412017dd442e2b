// InstanceNormalization: each (batch, channel) plane of X (N, C, spatial...) normalised by its own mean and
// variance, then scaled and shifted per channel: Y = scale[c] * (X - mean) / sqrt(var + epsilon) + B[c]. float32.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class InstanceNormalizationKernel final : public Kernel {
public:
    InstanceNormalizationKernel(const Attributes& attributes, int) : m_epsilon(attributes.get_float("epsilon", 1e-5f)) {}

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 3; ++i) {
            if (ctx.input_dtype(i) != LITE_FLOAT) ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
        }
        const Shape& x = ctx.input_shape(0);
        if (x.size() < 3) ctx.fail("X must have rank 3 or more (N, C, spatial...), got " + shape_str(x));
        for (size_t i = 1; i < 3; ++i) {
            const Shape& s = ctx.input_shape(i);
            if (s.size() != 1 || s[0] != x[1]) ctx.fail(std::string(i == 1 ? "scale " : "B ") + shape_str(s) + " must have shape [" + std::to_string(x[1]) + "]");
        }
        ctx.set_output(0, LITE_FLOAT, x);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const float* x = xv.as<float>();
        const float* scale = ctx.input(1).as<float>();
        const float* bias = ctx.input(2).as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t channels = xv.shape[1], planes = xv.shape[0] * channels;
        const int64_t size = planes ? xv.numel() / planes : 0;
        const double epsilon = m_epsilon;
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const float* xp = x + p * size;
                float* yp = y + p * size;
                const int64_t c = p % channels;
                double sum = 0;
                for (int64_t i = 0; i < size; ++i) sum += xp[i];
                const double mean = size ? sum / size : 0;
                double squares = 0;
                for (int64_t i = 0; i < size; ++i) squares += (xp[i] - mean) * (xp[i] - mean);
                const double var = size ? squares / size : 0;
                const double inv_std = 1.0 / std::sqrt(var + epsilon);
                for (int64_t i = 0; i < size; ++i) yp[i] = static_cast<float>((xp[i] - mean) * inv_std * scale[c] + bias[c]);
            }
        });
    }

private:
    float m_epsilon;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(InstanceNormalization, InstanceNormalizationKernel)
