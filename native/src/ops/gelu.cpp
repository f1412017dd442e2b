// Gelu (opset 20): approximate "none" is 0.5 x (1 + erf(x / sqrt 2)); "tanh" is
// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct GeluFn {
    bool tanh_approximation;
    float operator()(float x) const {
        if (tanh_approximation) {
            constexpr float kSqrt2OverPi = 0.7978845608028654f;
            return 0.5f * x * (1.f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
        }
        constexpr float kInvSqrt2 = 0.7071067811865476f;
        return 0.5f * x * (1.f + std::erf(x * kInvSqrt2));
    }
};

bool parse_approximate(const Attributes& attributes) {
    std::string approximate = attributes.get_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") {
        attributes.fail("attribute 'approximate' must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    }
    return approximate == "tanh";
}

class GeluKernel final : public UnaryFloatKernel<GeluFn> {
public:
    GeluKernel(const Attributes& attributes, int) : UnaryFloatKernel<GeluFn>(GeluFn{parse_approximate(attributes)}) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Gelu, GeluKernel)
