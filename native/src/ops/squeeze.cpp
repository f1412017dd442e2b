// Squeeze: removes the given size-1 dims (axes attribute before opset 13, optional input 1 from 13), or every
// size-1 dim when no axes are given.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class SqueezeKernel final : public Kernel {
public:
    SqueezeKernel(const Attributes& attributes, int opset)
            : m_axes_input(opset >= 13), m_has_axes(attributes.has("axes")), m_axes(attributes.get_ints("axes")) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size());
        bool has_axes = m_has_axes;
        std::vector<int64_t> axes = m_axes;
        if (m_axes_input) {
            has_axes = ctx.has_input(1);
            if (has_axes) {
                if (!is_int_index(ctx.input_dtype(1))) ctx.fail("axes must be an int64 tensor");
                axes = read_ints(ctx.require_value(1));
            }
        }
        std::vector<bool> drop(in.size(), false);
        if (has_axes && !axes.empty()) {  // empty axes: like none, every size-1 dim (as onnxruntime does)
            for (int64_t a : axes) {
                if (a < -rank || a >= rank) ctx.fail("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
                auto axis = static_cast<size_t>(a < 0 ? a + rank : a);
                if (drop[axis]) ctx.fail("axis " + std::to_string(a) + " is given twice");
                if (in[axis] != 1) {
                    ctx.fail("cannot squeeze dim " + std::to_string(axis) + " of shape " + shape_str(in) + ": it is not 1");
                }
                drop[axis] = true;
            }
        } else {
            for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
        }
        Shape out;
        for (size_t i = 0; i < in.size(); ++i) {
            if (!drop[i]) out.push_back(in[i]);
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override { copy_unless_inplace(ctx); }
    bool inplace_ok() const override { return true; }

private:
    bool m_axes_input;
    bool m_has_axes;
    std::vector<int64_t> m_axes;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Squeeze, SqueezeKernel)
