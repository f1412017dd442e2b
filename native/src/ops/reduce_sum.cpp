// ReduceSum: sum over the reduced axes (axes are an input from opset 13).
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct SumOp {
    template <typename T> static T init() { return T(0); }
    template <typename T> static T step(T acc, T x) { return static_cast<T>(acc + x); }
    template <typename T> static T finish(T acc, int64_t) { return acc; }
};

class ReduceSumKernel final : public ReduceKernel<SumOp> {
public:
    ReduceSumKernel(const Attributes& attributes, int opset) : ReduceKernel<SumOp>(attributes, opset, 13) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceSum, ReduceSumKernel)
