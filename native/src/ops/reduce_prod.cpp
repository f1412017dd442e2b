// ReduceProd: product over the reduced axes.
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct ProdOp {
    template <typename T> static T init() { return T(1); }
    template <typename T> static T step(T acc, T x) { return static_cast<T>(acc * x); }
    template <typename T> static T finish(T acc, int64_t) { return acc; }
};

class ReduceProdKernel final : public ReduceKernel<ProdOp> {
public:
    ReduceProdKernel(const Attributes& attributes, int opset) : ReduceKernel<ProdOp>(attributes, opset, 18) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceProd, ReduceProdKernel)
