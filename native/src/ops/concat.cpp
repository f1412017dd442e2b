// Concat: joins the inputs along `axis`; every other dim must agree.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ConcatKernel final : public Kernel {
public:
    ConcatKernel(const Attributes& attributes, int) : m_axis(attributes.get_int("axis")) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() == 0) ctx.fail("needs at least one input");
        const Shape& first = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(first.size());
        if (rank == 0) ctx.fail("cannot concatenate scalars");
        m_resolved = normalize_axis(m_axis, rank, ctx);
        Shape out = first;
        out[static_cast<size_t>(m_resolved)] = 0;
        for (size_t i = 0; i < ctx.num_inputs(); ++i) {
            if (!ctx.has_input(i)) ctx.fail("input " + std::to_string(i) + " is missing");
            const Shape& shape = ctx.input_shape(i);
            if (ctx.input_dtype(i) != ctx.input_dtype(0)) ctx.fail("inputs have different element types");
            bool ok = shape.size() == first.size();
            for (size_t d = 0; ok && d < shape.size(); ++d) ok = d == static_cast<size_t>(m_resolved) || shape[d] == first[d];
            if (!ok) {
                ctx.fail("input " + std::to_string(i) + " has shape " + shape_str(shape) + ", which does not match " +
                         shape_str(first) + " outside axis " + std::to_string(m_resolved));
            }
            out[static_cast<size_t>(m_resolved)] += shape[static_cast<size_t>(m_resolved)];
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        TensorView& out = ctx.output(0);
        const size_t elem = dtype_size(out.dtype);
        const auto axis = static_cast<size_t>(m_resolved);
        int64_t outer = 1, inner = 1;
        for (size_t d = 0; d < out.shape.size(); ++d) {
            if (d < axis) outer *= out.shape[d];
            if (d > axis) inner *= out.shape[d];
        }
        // Per input: bytes of one outer row, and where it starts in the output's row.
        std::vector<const uint8_t*> sources(ctx.num_inputs());
        std::vector<size_t> row_bytes(ctx.num_inputs()), starts(ctx.num_inputs());
        size_t out_row = 0;
        for (size_t i = 0; i < ctx.num_inputs(); ++i) {
            const TensorView& in = ctx.input(i);
            sources[i] = static_cast<const uint8_t*>(in.data);
            row_bytes[i] = static_cast<size_t>(in.shape[axis] * inner) * elem;
            starts[i] = out_row;
            out_row += row_bytes[i];
        }
        auto* dst = static_cast<uint8_t*>(out.data);
        ctx.parallel_for(outer, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                for (size_t i = 0; i < sources.size(); ++i) {
                    if (row_bytes[i]) {
                        std::memcpy(dst + static_cast<size_t>(r) * out_row + starts[i],
                                    sources[i] + static_cast<size_t>(r) * row_bytes[i], row_bytes[i]);
                    }
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

EDGELITE_OP(Concat, ConcatKernel)
