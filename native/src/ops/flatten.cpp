// Flatten: [d0..d(axis-1)] and [d(axis)..] become the two dims of a matrix; axis may be negative (opset 11).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class FlattenKernel final : public Kernel {
public:
    FlattenKernel(const Attributes& attributes, int) : m_axis(attributes.get_int("axis", 1)) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size());
        if (m_axis < -rank || m_axis > rank) {
            ctx.fail("axis " + std::to_string(m_axis) + " is out of range for rank " + std::to_string(rank));
        }
        const int64_t axis = m_axis < 0 ? m_axis + rank : m_axis;
        int64_t outer = 1, inner = 1;
        for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= in[static_cast<size_t>(i)];
        ctx.set_output(0, ctx.input_dtype(0), {outer, inner});
    }
    void run(RunContext& ctx) override { copy_unless_inplace(ctx); }
    bool inplace_ok() const override { return true; }

private:
    int64_t m_axis;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Flatten, FlattenKernel)
