// ThresholdedRelu: x > alpha ? x : 0; alpha 1 by default.
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct ThresholdedReluFn {
    float alpha;
    float operator()(float x) const { return x > alpha ? x : 0.f; }
};

class ThresholdedReluKernel final : public UnaryFloatKernel<ThresholdedReluFn> {
public:
    ThresholdedReluKernel(const Attributes& attributes, int)
            : UnaryFloatKernel<ThresholdedReluFn>(ThresholdedReluFn{attributes.get_float("alpha", 1.f)}) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ThresholdedRelu, ThresholdedReluKernel)
