// Elu: x >= 0 ? x : alpha * (exp(x) - 1); alpha 1 by default.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct EluFn {
    float alpha;
    float operator()(float x) const { return x >= 0.f ? x : alpha * std::expm1(x); }
};

class EluKernel final : public UnaryFloatKernel<EluFn> {
public:
    EluKernel(const Attributes& attributes, int) : UnaryFloatKernel<EluFn>(EluFn{attributes.get_float("alpha", 1.f)}) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Elu, EluKernel)
