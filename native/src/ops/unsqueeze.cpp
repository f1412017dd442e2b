// Unsqueeze: inserts size-1 dims at the given axes of the output (axes attribute before opset 13, input 1 from 13).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class UnsqueezeKernel final : public Kernel {
public:
    UnsqueezeKernel(const Attributes& attributes, int opset)
            : m_axes_input(opset >= 13), m_axes(attributes.get_ints("axes")) {
        if (!m_axes_input && !attributes.has("axes")) attributes.fail("required attribute 'axes' is missing");
    }
    void infer(InferContext& ctx) override {
        std::vector<int64_t> axes = m_axes;
        if (m_axes_input) {
            if (!ctx.has_input(1)) ctx.fail("needs the axes input");
            if (!is_int_index(ctx.input_dtype(1))) ctx.fail("axes must be an int64 tensor");
            axes = read_ints(ctx.require_value(1));
        }
        const Shape& in = ctx.input_shape(0);
        const auto rank = static_cast<int64_t>(in.size() + axes.size());
        std::vector<bool> inserted(static_cast<size_t>(rank), false);
        for (int64_t a : axes) {
            if (a < -rank || a >= rank) ctx.fail("axis " + std::to_string(a) + " is out of range for output rank " + std::to_string(rank));
            auto axis = static_cast<size_t>(a < 0 ? a + rank : a);
            if (inserted[axis]) ctx.fail("axis " + std::to_string(a) + " is given twice");
            inserted[axis] = true;
        }
        Shape out(static_cast<size_t>(rank));
        size_t next = 0;
        for (size_t i = 0; i < out.size(); ++i) out[i] = inserted[i] ? 1 : in[next++];
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override { copy_unless_inplace(ctx); }
    bool inplace_ok() const override { return true; }

private:
    bool m_axes_input;
    std::vector<int64_t> m_axes;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Unsqueeze, UnsqueezeKernel)
