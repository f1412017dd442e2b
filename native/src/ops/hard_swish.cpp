// HardSwish: x * max(0, min(1, x / 6 + 0.5)). Fusable as an activation.
#include <algorithm>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct HardSwishFn {
    float operator()(float x) const { return x * std::max(0.f, std::min(1.f, x / 6.f + 0.5f)); }
};

class HardSwishKernel final : public UnaryFloatKernel<HardSwishFn> {
public:
    HardSwishKernel(const Attributes&, int) : UnaryFloatKernel<HardSwishFn>(HardSwishFn{}) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out = Activation{};
        out.kind = Activation::HardSwish;
        return true;
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(HardSwish, HardSwishKernel)
