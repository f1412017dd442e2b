// ReduceMean: arithmetic mean over the reduced axes (integer types divide with truncation).
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct MeanOp {
    template <typename T> static T init() { return T(0); }
    template <typename T> static T step(T acc, T x) { return static_cast<T>(acc + x); }
    template <typename T> static T finish(T acc, int64_t count) {
        if constexpr (std::is_floating_point_v<T>) return count ? acc / static_cast<T>(count) : std::numeric_limits<T>::quiet_NaN();
        else return count ? static_cast<T>(acc / static_cast<T>(count)) : T(0);
    }
};

class ReduceMeanKernel final : public ReduceKernel<MeanOp> {
public:
    ReduceMeanKernel(const Attributes& attributes, int opset) : ReduceKernel<MeanOp>(attributes, opset, 18) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceMean, ReduceMeanKernel)
