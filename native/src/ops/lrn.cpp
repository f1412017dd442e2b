// LRN: local response normalization across channels of X (N, C, spatial...), float32:
// Y = X / (bias + alpha / size * sum of X^2 over channels [c - floor((size-1)/2), c + ceil((size-1)/2)]) ^ beta.
#include <algorithm>
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class LrnKernel final : public Kernel {
public:
    LrnKernel(const Attributes& attributes, int)
            : m_alpha(attributes.get_float("alpha", 1e-4f)),
              m_beta(attributes.get_float("beta", 0.75f)),
              m_bias(attributes.get_float("bias", 1.f)),
              m_size(attributes.get_int("size")) {
        if (m_size <= 0) attributes.fail("size must be positive");
    }

    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("X must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        const Shape& x = ctx.input_shape(0);
        if (x.size() < 3) ctx.fail("X must have rank 3 or more (N, C, spatial...), got " + shape_str(x));
        ctx.set_output(0, LITE_FLOAT, x);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t channels = xv.shape[1], planes = xv.shape[0] * channels;
        const int64_t size = planes ? xv.numel() / planes : 0;
        const int64_t before = (m_size - 1) / 2, after = m_size - 1 - before;
        const double scale = static_cast<double>(m_alpha) / m_size, bias = m_bias, beta = m_beta;
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const int64_t n = p / channels, c = p % channels;
                const int64_t first = std::max<int64_t>(0, c - before), last = std::min<int64_t>(channels - 1, c + after);
                for (int64_t i = 0; i < size; ++i) {
                    double squares = 0;
                    for (int64_t k = first; k <= last; ++k) {
                        const double v = x[(n * channels + k) * size + i];
                        squares += v * v;
                    }
                    y[p * size + i] = static_cast<float>(x[p * size + i] / std::pow(bias + scale * squares, beta));
                }
            }
        });
    }

private:
    float m_alpha, m_beta, m_bias;
    int64_t m_size;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(LRN, LrnKernel)
