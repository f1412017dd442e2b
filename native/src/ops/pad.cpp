// Pad: constant, reflect, edge (and wrap) modes. Before opset 11, pads and value are attributes; from 11, pads
// is input 1, constant_value input 2 (optional, the data's type) and, from 18, axes input 3. Negative pads crop.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class PadKernel final : public Kernel {
public:
    PadKernel(const Attributes& attributes, int opset)
            : m_from_attributes(opset < 11), m_pads(attributes.get_ints(opset < 2 ? "paddings" : "pads")),
              m_value(attributes.get_float("value", 0.f)) {
        std::string mode = attributes.get_string("mode", "constant");
        if (mode == "constant") m_mode = Constant;
        else if (mode == "reflect") m_mode = Reflect;
        else if (mode == "edge") m_mode = Edge;
        else if (mode == "wrap") m_mode = Wrap;
        else attributes.fail("mode '" + mode + "' is not one of constant, reflect, edge, wrap");
    }
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size());
        std::vector<int64_t> pads = m_pads, axes;
        if (!m_from_attributes) {
            if (!ctx.has_input(1) || ctx.input_dtype(1) != LITE_INT64) ctx.fail("pads must be an int64 tensor");
            pads = read_ints(ctx.require_value(1));
            if (ctx.has_input(2)) {
                if (ctx.input_dtype(2) != ctx.input_dtype(0)) ctx.fail("constant_value must have the data's element type");
                require_scalar(ctx, 2, "constant_value");
            }
            if (ctx.has_input(3)) {
                if (!is_int_index(ctx.input_dtype(3))) ctx.fail("axes must be an int32 or int64 tensor");
                axes = read_ints(ctx.require_value(3));
            }
        }
        if (axes.empty()) {
            for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
        }
        if (pads.size() != 2 * axes.size()) {
            ctx.fail("pads " + shape_str(pads) + " must have 2 entries per padded axis (" + std::to_string(axes.size()) + " axes)");
        }
        m_begin.assign(in.size(), 0);
        Shape out = in;
        std::vector<bool> seen(in.size(), false);
        for (size_t i = 0; i < axes.size(); ++i) {
            if (axes[i] < -rank || axes[i] >= rank) ctx.fail("axis " + std::to_string(axes[i]) + " is out of range for rank " + std::to_string(rank));
            auto axis = static_cast<size_t>(axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (seen[axis]) ctx.fail("axis " + std::to_string(axes[i]) + " is given twice");
            seen[axis] = true;
            const int64_t begin = pads[i], end = pads[i + axes.size()];
            out[axis] = in[axis] + begin + end;
            if (out[axis] < 0) ctx.fail("pads " + shape_str(pads) + " crop more than dim " + std::to_string(axis) + " of " + shape_str(in));
            if (m_mode != Constant && in[axis] == 0 && out[axis] > 0) {
                ctx.fail("cannot pad the empty dim " + std::to_string(axis) + " in a mode other than constant");
            }
            m_begin[axis] = begin;
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        const std::vector<int64_t> strides = strides_of(in.shape);
        std::vector<std::vector<int64_t>> tables(in.shape.size());
        for (size_t d = 0; d < tables.size(); ++d) {
            const int64_t dim = in.shape[d];
            tables[d].resize(static_cast<size_t>(out.shape[d]));
            for (size_t o = 0; o < tables[d].size(); ++o) {
                int64_t i = static_cast<int64_t>(o) - m_begin[d];
                if (i < 0 || i >= dim) {
                    switch (m_mode) {
                        case Constant: i = -1; break;
                        case Edge: i = i < 0 ? 0 : dim - 1; break;
                        case Wrap: i = ((i % dim) + dim) % dim; break;
                        case Reflect: {
                            const int64_t period = 2 * (dim - 1);
                            if (period == 0) {
                                i = 0;
                                break;
                            }
                            i = ((i % period) + period) % period;
                            if (i >= dim) i = period - i;
                            break;
                        }
                    }
                }
                tables[d][o] = i < 0 ? -1 : i * strides[d];
            }
        }
        uint64_t fill = 0;  // one element of the pad value
        if (m_mode == Constant) {
            if (m_from_attributes) {
                store_scalar(m_value, in.dtype, &fill);
            } else if (ctx.has_input(2)) {
                std::memcpy(&fill, ctx.input(2).data, dtype_size(in.dtype));
            }
        }
        table_copy(in.data, out.data, dtype_size(in.dtype), tables, ctx, &fill);
    }

private:
    enum Mode { Constant, Reflect, Edge, Wrap };
    bool m_from_attributes;
    std::vector<int64_t> m_pads;
    float m_value;
    Mode m_mode = Constant;
    std::vector<int64_t> m_begin;  // per input dim, resolved by infer
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Pad, PadKernel)
