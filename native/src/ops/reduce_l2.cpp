// ReduceL2: Euclidean norm over the reduced axes (integer types: the root truncated).
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

struct L2Op {
    template <typename T> static T init() { return T(0); }
    template <typename T> static T step(T acc, T x) { return static_cast<T>(acc + x * x); }
    template <typename T> static T finish(T acc, int64_t) {
        if constexpr (std::is_floating_point_v<T>) return std::sqrt(acc);
        else return static_cast<T>(std::sqrt(static_cast<double>(acc)));
    }
};

class ReduceL2Kernel final : public ReduceKernel<L2Op> {
public:
    ReduceL2Kernel(const Attributes& attributes, int opset) : ReduceKernel<L2Op>(attributes, opset, 18) {}
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ReduceL2, ReduceL2Kernel)
