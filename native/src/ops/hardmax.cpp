// Hardmax: 1 where the first maximum along an axis is, 0 elsewhere (see along_axis.h for the axis rules).
#include "ops/along_axis.h"

namespace lite::ops {
namespace {

class HardmaxKernel final : public AlongAxisKernel {
public:
    using AlongAxisKernel::AlongAxisKernel;

protected:
    void compute_blocks(const float* x, float* y, int64_t count, int64_t n, int64_t inner) const override {
        std::vector<int64_t> best(static_cast<size_t>(inner));
        for (int64_t o = 0; o < count; ++o) {
            const float* xo = x + o * n * inner;
            float* yo = y + o * n * inner;
            std::fill(best.begin(), best.end(), 0);
            for (int64_t j = 1; j < n; ++j) {
                for (int64_t i = 0; i < inner; ++i) {
                    if (xo[j * inner + i] > xo[best[i] * inner + i]) best[i] = j;
                }
            }
            for (int64_t j = 0; j < n; ++j) {
                for (int64_t i = 0; i < inner; ++i) yo[j * inner + i] = best[i] == j ? 1.f : 0.f;
            }
        }
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Hardmax, HardmaxKernel)
