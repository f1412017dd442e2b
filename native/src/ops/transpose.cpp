// Transpose: output dim i is input dim perm[i]; perm defaults to the reversed dims.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class TransposeKernel final : public Kernel {
public:
    TransposeKernel(const Attributes& attributes, int) : m_perm(attributes.get_ints("perm")) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        m_resolved = m_perm;
        if (m_resolved.empty()) {
            for (size_t i = in.size(); i-- > 0;) m_resolved.push_back(static_cast<int64_t>(i));
        }
        if (m_resolved.size() != in.size()) {
            ctx.fail("perm " + shape_str(m_resolved) + " does not match the input rank " + std::to_string(in.size()));
        }
        std::vector<bool> seen(in.size(), false);
        Shape out(in.size());
        for (size_t i = 0; i < m_resolved.size(); ++i) {
            int64_t p = m_resolved[i];
            if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[static_cast<size_t>(p)]) {
                ctx.fail("perm " + shape_str(m_resolved) + " is not a permutation of the input's dims");
            }
            seen[static_cast<size_t>(p)] = true;
            out[i] = in[static_cast<size_t>(p)];
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        table_copy(in.data, out.data, dtype_size(in.dtype), transpose_tables(in.shape, m_resolved), ctx);
    }

private:
    std::vector<int64_t> m_perm;
    std::vector<int64_t> m_resolved;  // m_perm, or the reversed dims
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Transpose, TransposeKernel)
