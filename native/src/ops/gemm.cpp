// Gemm: Y = alpha * A' * B' + beta * C, float32, where A' is A (M, K) or its transpose (transA) and B' is B (K, N)
// or its transpose (transB); the optional C broadcasts to (M, N) (unidirectionally: each of its trailing dims is 1 or
// the matching dim). A fused activation is applied to every output element last. Parallel over rows of Y.
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class GemmKernel final : public Kernel {
public:
    GemmKernel(const Attributes& attributes, int)
            : m_alpha(attributes.get_float("alpha", 1.f)),
              m_beta(attributes.get_float("beta", 1.f)),
              m_trans_a(attributes.get_int("transA", 0) != 0),
              m_trans_b(attributes.get_int("transB", 0) != 0) {}

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 3; ++i) {
            if (ctx.has_input(i) && ctx.input_dtype(i) != LITE_FLOAT) {
                ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
            }
        }
        const Shape& a = ctx.input_shape(0);
        const Shape& b = ctx.input_shape(1);
        if (a.size() != 2 || b.size() != 2) ctx.fail("A " + shape_str(a) + " and B " + shape_str(b) + " must be 2-D");
        const int64_t m = m_trans_a ? a[1] : a[0], k = m_trans_a ? a[0] : a[1];
        const int64_t kb = m_trans_b ? b[1] : b[0], n = m_trans_b ? b[0] : b[1];
        if (k != kb) {
            ctx.fail("inner dims differ: A " + shape_str(a) + (m_trans_a ? " (transposed)" : "") + ", B " + shape_str(b) +
                     (m_trans_b ? " (transposed)" : ""));
        }
        if (ctx.has_input(2)) {
            const Shape& c = ctx.input_shape(2);
            bool ok = c.size() <= 2;
            if (ok && c.size() == 2) ok = (c[0] == 1 || c[0] == m) && (c[1] == 1 || c[1] == n);
            if (ok && c.size() == 1) ok = c[0] == 1 || c[0] == n;
            if (!ok) ctx.fail("C " + shape_str(c) + " does not broadcast to the output [" + std::to_string(m) + "," + std::to_string(n) + "]");
        }
        ctx.set_output(0, LITE_FLOAT, {m, n});
    }

    void run(RunContext& ctx) override {
        const TensorView& av = ctx.input(0);
        const TensorView& bv = ctx.input(1);
        const float* a = av.as<float>();
        const float* b = bv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t m = m_trans_a ? av.shape[1] : av.shape[0], k = m_trans_a ? av.shape[0] : av.shape[1];
        const int64_t n = m_trans_b ? bv.shape[0] : bv.shape[1];
        // Strides of A' (M, K) and B' (K, N) over the stored matrices.
        const int64_t a_row = m_trans_a ? 1 : k, a_col = m_trans_a ? m : 1;
        const int64_t b_row = m_trans_b ? 1 : n, b_col = m_trans_b ? k : 1;
        // C's strides over (M, N): 0 on broadcast dims.
        const float* c = nullptr;
        int64_t c_row = 0, c_col = 0;
        if (ctx.has_input(2)) {
            const TensorView& cv = ctx.input(2);
            c = cv.as<float>();
            const Shape& cs = cv.shape;
            if (cs.size() == 2) {
                c_row = cs[0] == 1 ? 0 : cs[1];
                c_col = cs[1] == 1 ? 0 : 1;
            } else if (cs.size() == 1) {
                c_col = cs[0] == 1 ? 0 : 1;
            }
        }
        const float alpha = m_alpha, beta = m_beta;
        const Activation act = m_activation;
        ctx.parallel_for(m, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                for (int64_t j = 0; j < n; ++j) {
                    double sum = 0;
                    for (int64_t p = 0; p < k; ++p) sum += static_cast<double>(a[i * a_row + p * a_col]) * b[p * b_row + j * b_col];
                    float value = alpha * static_cast<float>(sum);
                    if (c) value += beta * c[i * c_row + j * c_col];
                    y[i * n + j] = act.apply(value);
                }
            }
        });
    }

    bool fuse_activation(const Activation& activation) override { return m_activation.then(activation); }

private:
    float m_alpha, m_beta;
    bool m_trans_a, m_trans_b;
    Activation m_activation;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Gemm, GemmKernel)
