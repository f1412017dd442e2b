// Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); alpha 1 by default, must not be 0.
#include <algorithm>
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct CeluFn {
    float alpha;
    float operator()(float x) const { return std::max(0.f, x) + std::min(0.f, alpha * std::expm1(x / alpha)); }
};

float checked_alpha(const Attributes& attributes) {
    float alpha = attributes.get_float("alpha", 1.f);
    if (alpha == 0.f) attributes.fail("attribute 'alpha' must not be 0");
    return alpha;
}

class CeluKernel final : public UnaryFloatKernel<CeluFn> {
public:
    CeluKernel(const Attributes& attributes, int) : UnaryFloatKernel<CeluFn>(CeluFn{checked_alpha(attributes)}) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Celu, CeluKernel)
