// OneHot: out has a new dim of size depth at `axis`; out[..., j, ...] = values[1] where j equals the index
// (negative indices count from depth), values[0] elsewhere. Output type: values'.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class OneHotKernel final : public Kernel {
public:
    OneHotKernel(const Attributes& attributes, int) : m_axis(attributes.get_int("axis", -1)) {}
    void infer(InferContext& ctx) override {
        const Shape& indices = ctx.input_shape(0);
        require_scalar(ctx, 1, "depth");
        if (numel(ctx.input_shape(2)) != 2 || ctx.input_shape(2).size() != 1) {
            ctx.fail("values must be a 1-D tensor of 2 elements [off, on], got shape " + shape_str(ctx.input_shape(2)));
        }
        const auto rank = static_cast<int64_t>(indices.size()) + 1;
        if (m_axis < -rank || m_axis >= rank) ctx.fail("axis " + std::to_string(m_axis) + " is out of range for output rank " + std::to_string(rank));
        m_resolved = m_axis < 0 ? m_axis + rank : m_axis;
        const int64_t depth = read_ints(ctx.require_value(1))[0];
        if (depth < 1) ctx.fail("depth must be positive, got " + std::to_string(depth));
        Shape out = indices;
        out.insert(out.begin() + m_resolved, depth);
        ctx.set_output(0, ctx.input_dtype(2), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& values = ctx.input(2);
        TensorView& out = ctx.output(0);
        const std::vector<int64_t> indices = read_ints(ctx.input(0));
        const auto axis = static_cast<size_t>(m_resolved);
        const int64_t depth = out.shape[axis];
        int64_t outer = 1, inner = 1;
        for (size_t d = 0; d < out.shape.size(); ++d) {
            if (d < axis) outer *= out.shape[d];
            if (d > axis) inner *= out.shape[d];
        }
        dispatch_bytes(dtype_size(values.dtype), [&](auto zero) {
            using T = decltype(zero);
            const T off = values.as<T>()[0], on = values.as<T>()[1];
            T* dst = out.as<T>();
            const int64_t total = numel(out.shape);
            for (int64_t i = 0; i < total; ++i) dst[i] = off;
            // indices are [outer, inner]; each picks one row along the depth axis.
            for (int64_t o = 0; o < outer; ++o) {
                for (int64_t i = 0; i < inner; ++i) {
                    int64_t j = indices[static_cast<size_t>(o * inner + i)];
                    if (j < 0) j += depth;
                    if (j >= 0 && j < depth) dst[(o * depth + j) * inner + i] = on;
                }
            }
        });
    }

private:
    int64_t m_axis;
    int64_t m_resolved = 0;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(OneHot, OneHotKernel)
