// HardSigmoid: max(0, min(1, alpha * x + beta)); alpha 0.2, beta 0.5 by default. Fusable as an activation.
#include <algorithm>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct HardSigmoidFn {
    float alpha, beta;
    float operator()(float x) const { return std::max(0.f, std::min(1.f, alpha * x + beta)); }
};

class HardSigmoidKernel final : public UnaryFloatKernel<HardSigmoidFn> {
public:
    HardSigmoidKernel(const Attributes& attributes, int)
            : UnaryFloatKernel<HardSigmoidFn>(HardSigmoidFn{attributes.get_float("alpha", 0.2f), attributes.get_float("beta", 0.5f)}),
              m_alpha(attributes.get_float("alpha", 0.2f)),
              m_beta(attributes.get_float("beta", 0.5f)) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out = Activation{};
        out.kind = Activation::HardSigmoid;
        out.alpha = m_alpha;
        out.beta = m_beta;
        return true;
    }

private:
    float m_alpha, m_beta;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(HardSigmoid, HardSigmoidKernel)
