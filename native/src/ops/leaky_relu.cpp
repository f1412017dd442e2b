// LeakyRelu: x >= 0 ? x : alpha * x; alpha 0.01 by default. Fusable as an activation.
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct LeakyReluFn {
    float alpha;
    float operator()(float x) const { return x >= 0.f ? x : alpha * x; }
};

class LeakyReluKernel final : public UnaryFloatKernel<LeakyReluFn> {
public:
    LeakyReluKernel(const Attributes& attributes, int)
            : UnaryFloatKernel<LeakyReluFn>(LeakyReluFn{attributes.get_float("alpha", 0.01f)}),
              m_alpha(attributes.get_float("alpha", 0.01f)) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out = Activation{};
        out.kind = Activation::LeakyRelu;
        out.alpha = m_alpha;
        return true;
    }

private:
    float m_alpha;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(LeakyRelu, LeakyReluKernel)
