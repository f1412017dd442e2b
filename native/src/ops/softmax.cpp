// Softmax: exp(x - max) / sum(exp(x - max)) along an axis (see along_axis.h for the axis rules).
#include "ops/along_axis.h"

namespace lite::ops {
namespace {

class SoftmaxKernel final : public AlongAxisKernel {
public:
    using AlongAxisKernel::AlongAxisKernel;

protected:
    void compute_blocks(const float* x, float* y, int64_t count, int64_t n, int64_t inner) const override {
        std::vector<float> max(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
        for (int64_t o = 0; o < count; ++o) {
            const float* xo = x + o * n * inner;
            float* yo = y + o * n * inner;
            std::fill(max.begin(), max.end(), -INFINITY);
            std::fill(sum.begin(), sum.end(), 0.f);
            for (int64_t j = 0; j < n; ++j) {
                for (int64_t i = 0; i < inner; ++i) max[i] = std::max(max[i], xo[j * inner + i]);
            }
            for (int64_t j = 0; j < n; ++j) {
                for (int64_t i = 0; i < inner; ++i) {
                    float e = std::exp(xo[j * inner + i] - max[i]);
                    yo[j * inner + i] = e;
                    sum[i] += e;
                }
            }
            for (int64_t j = 0; j < n; ++j) {
                for (int64_t i = 0; i < inner; ++i) yo[j * inner + i] /= sum[i];
            }
        }
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Softmax, SoftmaxKernel)
