// Tanh. Fusable as an activation.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct TanhFn {
    float operator()(float x) const { return std::tanh(x); }
};

class TanhKernel final : public UnaryFloatKernel<TanhFn> {
public:
    TanhKernel(const Attributes&, int) : UnaryFloatKernel<TanhFn>(TanhFn{}) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out = Activation{};
        out.kind = Activation::Tanh;
        return true;
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Tanh, TanhKernel)
