// Gather: picks slices of `data` along `axis` by indices (negative ones count from the end).
// Output shape: data[:axis] + indices + data[axis+1:].
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class GatherKernel final : public Kernel {
public:
    GatherKernel(const Attributes& attributes, int) : m_axis(attributes.get_int("axis", 0)) {}
    void infer(InferContext& ctx) override {
        const Shape& data = ctx.input_shape(0);
        const Shape& indices = ctx.input_shape(1);
        if (!is_int_index(ctx.input_dtype(1))) ctx.fail("indices must be int32 or int64");
        const auto rank = static_cast<int64_t>(data.size());
        if (rank == 0) ctx.fail("data must have at least one dim");
        m_resolved = normalize_axis(m_axis, rank, ctx);
        const auto axis = static_cast<size_t>(m_resolved);
        if (const TensorView* value = ctx.input_value(1)) {
            for (int64_t i : read_ints(*value)) {
                if (i < -data[axis] || i >= data[axis]) {
                    ctx.fail("index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(data[axis]));
                }
            }
        }
        Shape out(data.begin(), data.begin() + m_resolved);
        out.insert(out.end(), indices.begin(), indices.end());
        out.insert(out.end(), data.begin() + m_resolved + 1, data.end());
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& data = ctx.input(0);
        const auto axis = static_cast<size_t>(m_resolved);
        const std::vector<int64_t> indices = read_ints(ctx.input(1));
        const int64_t dim = data.shape[axis];
        for (int64_t i : indices) {
            if (i < -dim || i >= dim) {
                run_fail("Gather", "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
            }
        }
        int64_t outer = 1, inner = 1;
        for (size_t d = 0; d < data.shape.size(); ++d) {
            if (d < axis) outer *= data.shape[d];
            if (d > axis) inner *= data.shape[d];
        }
        const size_t slice = static_cast<size_t>(inner) * dtype_size(data.dtype);
        const auto count = static_cast<int64_t>(indices.size());
        const auto* src = static_cast<const uint8_t*>(data.data);
        auto* dst = static_cast<uint8_t*>(ctx.output(0).data);
        if (slice == 0) return;
        ctx.parallel_for(outer * count, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                int64_t o = r / count, i = indices[static_cast<size_t>(r % count)];
                if (i < 0) i += dim;
                std::memcpy(dst + static_cast<size_t>(r) * slice, src + static_cast<size_t>(o * dim + i) * slice, slice);
            }
        });
    }

private:
    int64_t m_axis;
    int64_t m_resolved = 0;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Gather, GatherKernel)
