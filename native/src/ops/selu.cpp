// Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1)), with ONNX's default alpha and gamma.
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

struct SeluFn {
    float alpha, gamma;
    float operator()(float x) const { return gamma * (x > 0.f ? x : alpha * std::expm1(x)); }
};

class SeluKernel final : public UnaryFloatKernel<SeluFn> {
public:
    SeluKernel(const Attributes& attributes, int)
            : UnaryFloatKernel<SeluFn>(SeluFn{attributes.get_float("alpha", 1.67326319217681884765625f),
                                              attributes.get_float("gamma", 1.05070102214813232421875f)}) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Selu, SeluKernel)
