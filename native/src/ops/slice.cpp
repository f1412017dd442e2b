// Slice: starts/ends/axes as attributes (before opset 10) or inputs 1-4 with steps (from 10). Starts and ends are
// clamped like numpy's; negative steps walk backwards.
#include <algorithm>
#include <limits>

#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class SliceKernel final : public Kernel {
public:
    SliceKernel(const Attributes& attributes, int opset)
            : m_from_attributes(opset < 10), m_starts(attributes.get_ints("starts")), m_ends(attributes.get_ints("ends")),
              m_axes(attributes.get_ints("axes")) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size());
        std::vector<int64_t> starts = m_starts, ends = m_ends, axes = m_axes, steps;
        if (!m_from_attributes) {
            if (!ctx.has_input(1) || !ctx.has_input(2)) ctx.fail("needs the starts and ends inputs");
            for (size_t i = 1; i <= 4; ++i) {
                if (ctx.has_input(i) && !is_int_index(ctx.input_dtype(i))) {
                    ctx.fail("starts, ends, axes and steps must be int32 or int64 tensors");
                }
            }
            starts = read_ints(ctx.require_value(1));
            ends = read_ints(ctx.require_value(2));
            axes = ctx.has_input(3) ? read_ints(ctx.require_value(3)) : std::vector<int64_t>{};
            steps = ctx.has_input(4) ? read_ints(ctx.require_value(4)) : std::vector<int64_t>{};
        }
        if (ends.size() != starts.size()) ctx.fail("starts and ends have different lengths");
        if (axes.empty()) {
            for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
        }
        if (steps.empty()) steps.assign(starts.size(), 1);
        if (axes.size() != starts.size() || steps.size() != starts.size()) {
            ctx.fail("starts, ends, axes and steps must have the same length");
        }
        m_start.assign(in.size(), 0);
        m_step.assign(in.size(), 1);
        Shape out = in;
        std::vector<bool> seen(in.size(), false);
        for (size_t i = 0; i < starts.size(); ++i) {
            if (axes[i] < -rank || axes[i] >= rank) {
                ctx.fail("axis " + std::to_string(axes[i]) + " is out of range for rank " + std::to_string(rank));
            }
            auto axis = static_cast<size_t>(axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (seen[axis]) ctx.fail("axis " + std::to_string(axes[i]) + " is given twice");
            seen[axis] = true;
            const int64_t dim = in[axis], step = steps[i];
            if (step == 0) ctx.fail("steps must not be 0");
            int64_t start = starts[i], end = ends[i];
            if (start < 0) start = start < -dim ? -1 : start + dim;  // avoids overflow for INT64_MIN
            if (end < 0) end = end < -dim ? -1 : end + dim;
            if (step > 0) {
                start = std::min(std::max<int64_t>(start, 0), dim);
                end = std::min(std::max<int64_t>(end, 0), dim);
            } else {
                start = std::max<int64_t>(std::min(start, dim - 1), 0);
                end = std::max<int64_t>(std::min(end, dim - 1), -1);
            }
            int64_t count = 0;
            if (dim > 0 && step > 0 && end > start) count = (end - start - 1) / step + 1;
            if (dim > 0 && step < 0 && start > end) count = (start - end - 1) / -step + 1;
            m_start[axis] = start;
            m_step[axis] = step;
            out[axis] = count;
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        std::vector<int64_t> strides = strides_of(in.shape);
        std::vector<std::vector<int64_t>> tables(in.shape.size());
        for (size_t d = 0; d < tables.size(); ++d) {
            tables[d].resize(static_cast<size_t>(out.shape[d]));
            for (size_t o = 0; o < tables[d].size(); ++o) {
                tables[d][o] = (m_start[d] + static_cast<int64_t>(o) * m_step[d]) * strides[d];
            }
        }
        table_copy(in.data, out.data, dtype_size(in.dtype), tables, ctx);
    }

private:
    bool m_from_attributes;
    std::vector<int64_t> m_starts, m_ends, m_axes;
    std::vector<int64_t> m_start, m_step;  // per input dim, resolved by infer
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Slice, SliceKernel)
