// Sigmoid: 1 / (1 + exp(-x)), in a form that does not overflow for large |x|. Fusable as an activation.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct SigmoidFn {
    float operator()(float x) const {
        if (x >= 0.f) return 1.f / (1.f + std::exp(-x));
        const float e = std::exp(x);
        return e / (1.f + e);
    }
};

class SigmoidKernel final : public UnaryFloatKernel<SigmoidFn> {
public:
    SigmoidKernel(const Attributes&, int) : UnaryFloatKernel<SigmoidFn>(SigmoidFn{}) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out = Activation{};
        out.kind = Activation::Sigmoid;
        return true;
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Sigmoid, SigmoidKernel)
