#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct ReluFn {
    float operator()(float x) const { return x > 0.f ? x : 0.f; }
};

class ReluKernel final : public UnaryFloatKernel<ReluFn> {
public:
    ReluKernel(const Attributes&, int) : UnaryFloatKernel<ReluFn>(ReluFn{}) {}
    bool as_activation(const std::vector<const TensorView*>&, Activation& out) const override {
        out.kind = Activation::Relu;
        return true;
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Relu, ReluKernel)
