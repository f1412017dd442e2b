// Split: cuts the input along `axis` into the outputs. Sizes come from the `split` attribute (before opset 13),
// input 1 (from 13), or equal parts: one per output, or num_outputs (opset 18) with a smaller last chunk.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class SplitKernel final : public Kernel {
public:
    SplitKernel(const Attributes& attributes, int opset)
            : m_opset(opset), m_axis(attributes.get_int("axis", 0)), m_split(attributes.get_ints("split")),
              m_num_outputs(attributes.get_int("num_outputs", 0)) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size());
        if (rank == 0) ctx.fail("cannot split a scalar");
        m_resolved = normalize_axis(m_axis, rank, ctx);
        const int64_t dim = in[static_cast<size_t>(m_resolved)];
        const auto outputs = static_cast<int64_t>(ctx.num_outputs());
        std::vector<int64_t> sizes = m_opset < 13 ? m_split : std::vector<int64_t>{};
        if (m_opset >= 13 && ctx.has_input(1)) {
            if (!is_int_index(ctx.input_dtype(1))) ctx.fail("split must be an int64 tensor");
            sizes = read_ints(ctx.require_value(1));
        }
        if (!sizes.empty()) {
            if (static_cast<int64_t>(sizes.size()) != outputs) {
                ctx.fail("split " + shape_str(sizes) + " has " + std::to_string(sizes.size()) + " sizes for " +
                         std::to_string(outputs) + " outputs");
            }
            int64_t sum = 0;
            for (int64_t s : sizes) {
                if (s < 0) ctx.fail("split " + shape_str(sizes) + " has a negative size");
                sum += s;
            }
            if (sum != dim) ctx.fail("split " + shape_str(sizes) + " adds up to " + std::to_string(sum) + ", not the dim " + std::to_string(dim));
        } else {
            int64_t parts = outputs;
            const bool uneven_ok = m_opset >= 18 && m_num_outputs > 0;
            if (uneven_ok) {
                if (m_num_outputs != outputs) {
                    ctx.fail("num_outputs is " + std::to_string(m_num_outputs) + " but the node has " + std::to_string(outputs) + " outputs");
                }
                parts = m_num_outputs;
            }
            if (parts <= 0) ctx.fail("has no outputs");
            int64_t chunk = (dim + parts - 1) / parts;
            if (!uneven_ok && dim % parts != 0) {
                ctx.fail("cannot split dim " + std::to_string(dim) + " into " + std::to_string(parts) + " equal parts");
            }
            for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
        }
        m_sizes = sizes;
        for (size_t i = 0; i < sizes.size(); ++i) {
            Shape out = in;
            out[static_cast<size_t>(m_resolved)] = sizes[i];
            ctx.set_output(i, ctx.input_dtype(0), out);
        }
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const size_t elem = dtype_size(in.dtype);
        const auto axis = static_cast<size_t>(m_resolved);
        int64_t outer = 1, inner = 1;
        for (size_t d = 0; d < in.shape.size(); ++d) {
            if (d < axis) outer *= in.shape[d];
            if (d > axis) inner *= in.shape[d];
        }
        const size_t in_row = static_cast<size_t>(in.shape[axis] * inner) * elem;
        const auto* src = static_cast<const uint8_t*>(in.data);
        size_t start = 0;
        for (size_t i = 0; i < m_sizes.size(); ++i) {
            const size_t row = static_cast<size_t>(m_sizes[i] * inner) * elem;
            TensorView& out = ctx.output(i);
            auto* dst = static_cast<uint8_t*>(out.data);
            if (dst && row) {
                ctx.parallel_for(outer, [&](int64_t begin, int64_t end) {
                    for (int64_t r = begin; r < end; ++r) {
                        std::memcpy(dst + static_cast<size_t>(r) * row, src + static_cast<size_t>(r) * in_row + start, row);
                    }
                });
            }
            start += row;
        }
    }

private:
    int m_opset;
    int64_t m_axis;
    std::vector<int64_t> m_split;
    int64_t m_num_outputs;
    int64_t m_resolved = 0;
    std::vector<int64_t> m_sizes;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Split, SplitKernel)
