// Reshape: the shape comes from input 1 (opset 5+) or the `shape` attribute (opset 1-4); 0 copies the input's dim
// (unless allowzero, opset 14), one -1 is inferred from the element count.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ReshapeKernel final : public Kernel {
public:
    ReshapeKernel(const Attributes& attributes, int opset)
            : m_allowzero(attributes.get_int("allowzero", 0) != 0), m_from_attribute(opset < 5),
              m_shape(attributes.get_ints("shape")) {}
    void infer(InferContext& ctx) override {
        std::vector<int64_t> target = m_shape;
        if (!m_from_attribute) {
            if (!ctx.has_input(1)) ctx.fail("needs the shape input");
            if (!is_int_index(ctx.input_dtype(1)) || ctx.input_shape(1).size() != 1) {
                ctx.fail("shape must be a 1-D int64 tensor, got " + std::string(dtype_name(ctx.input_dtype(1))) +
                         shape_str(ctx.input_shape(1)));
            }
            target = read_ints(ctx.require_value(1));
        }
        const Shape& in = ctx.input_shape(0);
        Shape out(target.size());
        int64_t known = 1;
        int inferred = -1;
        for (size_t i = 0; i < target.size(); ++i) {
            int64_t d = target[i];
            if (d == -1) {
                if (inferred >= 0) ctx.fail("shape " + shape_str(target) + " has more than one -1");
                inferred = static_cast<int>(i);
                continue;
            }
            if (d == 0 && !m_allowzero) {
                if (i >= in.size()) ctx.fail("shape " + shape_str(target) + " has 0 at dim " + std::to_string(i) + ", past the input's rank " + std::to_string(in.size()));
                d = in[i];
            }
            if (d < 0) ctx.fail("shape " + shape_str(target) + " has a negative dim other than -1");
            out[i] = d;
            known *= d;
        }
        const int64_t count = numel(in);
        if (inferred >= 0) {
            if (known == 0 || count % known != 0) {
                ctx.fail("cannot reshape " + shape_str(in) + " to " + shape_str(target) + ": the -1 dim is not a whole number");
            }
            out[static_cast<size_t>(inferred)] = count / known;
        } else if (known != count) {
            ctx.fail("cannot reshape " + shape_str(in) + " (" + std::to_string(count) + " elements) to " + shape_str(out));
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override { copy_unless_inplace(ctx); }
    bool inplace_ok() const override { return true; }

private:
    bool m_allowzero;
    bool m_from_attribute;
    std::vector<int64_t> m_shape;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Reshape, ReshapeKernel)
