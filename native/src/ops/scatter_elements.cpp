// ScatterElements: output = data, then each update lands at its own position with the index along `axis`
// replaced by indices[...]; `reduction` (opset 16/18) combines it with what is there.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ScatterElementsKernel final : public Kernel {
public:
    ScatterElementsKernel(const Attributes& attributes, int)
            : m_axis(attributes.get_int("axis", 0)), m_reduction(parse_scatter_reduction(attributes)) {}
    void infer(InferContext& ctx) override {
        const Shape& data = ctx.input_shape(0);
        const Shape& indices = ctx.input_shape(1);
        if (!is_int_index(ctx.input_dtype(1))) ctx.fail("indices must be int32 or int64");
        if (ctx.input_dtype(2) != ctx.input_dtype(0)) ctx.fail("updates and data have different element types");
        if (ctx.input_shape(2) != indices) {
            ctx.fail("updates " + shape_str(ctx.input_shape(2)) + " and indices " + shape_str(indices) + " must have the same shape");
        }
        if (data.empty() || indices.size() != data.size()) {
            ctx.fail("data " + shape_str(data) + " and indices " + shape_str(indices) + " must have the same rank, at least 1");
        }
        m_resolved = normalize_axis(m_axis, static_cast<int64_t>(data.size()), ctx);
        for (size_t d = 0; d < data.size(); ++d) {
            if (d != static_cast<size_t>(m_resolved) && indices[d] > data[d]) {
                ctx.fail("indices " + shape_str(indices) + " exceed data " + shape_str(data) + " at dim " + std::to_string(d));
            }
        }
        if (m_reduction != ScatterReduction::None) {
            try {
                if (ctx.input_dtype(0) != LITE_HALF && ctx.input_dtype(0) != LITE_BOOL) dispatch_numeric(ctx.input_dtype(0), [](auto) {});
            } catch (const Error&) {
                ctx.fail(std::string("reductions do not support element type ") + dtype_name(ctx.input_dtype(0)));
            }
        }
        ctx.set_output(0, ctx.input_dtype(0), data);
    }
    void run(RunContext& ctx) override {
        copy_unless_inplace(ctx);
        const TensorView& data = ctx.input(0);
        const TensorView& idx = ctx.input(1);
        TensorView& out = ctx.output(0);
        const std::vector<int64_t> indices = read_ints(idx);
        const auto axis = static_cast<size_t>(m_resolved);
        const int64_t dim = data.shape[axis];
        for (int64_t i : indices) {
            if (i < -dim || i >= dim) {
                run_fail("ScatterElements", "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
            }
        }
        const std::vector<int64_t> strides = strides_of(data.shape);
        const size_t rank = idx.shape.size();
        scatter_apply(data.dtype, m_reduction, out.data, ctx.input(2).data, [&](auto&& apply) {
            std::vector<int64_t> pos(rank, 0);  // multi-index in indices, odometer
            for (size_t n = 0; n < indices.size(); ++n) {
                int64_t offset = 0;
                for (size_t d = 0; d < rank; ++d) {
                    int64_t i = d == axis ? (indices[n] < 0 ? indices[n] + dim : indices[n]) : pos[d];
                    offset += i * strides[d];
                }
                apply(offset, static_cast<int64_t>(n), int64_t{1});
                for (size_t d = rank; d-- > 0;) {
                    if (++pos[d] < idx.shape[d]) break;
                    pos[d] = 0;
                }
            }
        });
    }
    bool inplace_ok() const override { return true; }

private:
    int64_t m_axis;
    ScatterReduction m_reduction;
    int64_t m_resolved = 0;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ScatterElements, ScatterElementsKernel)
