// ReduceSumSquare: sum of squares over the reduced axes.
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct SumSquareOp {
    template <typename T> static T init() { return T(0); }
    template <typename T> static T step(T acc, T x) { return static_cast<T>(acc + x * x); }
    template <typename T> static T finish(T acc, int64_t) { return acc; }
};

class ReduceSumSquareKernel final : public ReduceKernel<SumSquareOp> {
public:
    ReduceSumSquareKernel(const Attributes& attributes, int opset) : ReduceKernel<SumSquareOp>(attributes, opset, 18) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceSumSquare, ReduceSumSquareKernel)
