// ReduceMin: minimum over the reduced axes; NaN propagates; an empty reduction gives the highest value (+inf).
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct MinOp {
    template <typename T> static T init() {
        if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
        else return std::numeric_limits<T>::max();
    }
    template <typename T> static T step(T acc, T x) {
        if constexpr (std::is_floating_point_v<T>) return (x < acc || std::isnan(x)) && !std::isnan(acc) ? x : acc;
        else return x < acc ? x : acc;
    }
    template <typename T> static T finish(T acc, int64_t) { return acc; }
};

class ReduceMinKernel final : public ReduceKernel<MinOp> {
public:
    ReduceMinKernel(const Attributes& attributes, int opset) : ReduceKernel<MinOp>(attributes, opset, 18) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceMin, ReduceMinKernel)
