// Hardmax: 1 where the first maximum along an axis is, 0 elsewhere. Before opset 13 the input is coerced to 2-D at
// `axis` (default 1); from opset 13 along one axis (default -1).
#include "ops/reduce_common.h"

namespace lite::ops {
namespace {

class HardmaxKernel final : public Kernel {
public:
    HardmaxKernel(const Attributes& attributes, int opset)
            : m_coerce_2d(opset < 13), m_axis(attributes.get_int("axis", opset < 13 ? 1 : -1)) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("input must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        normalize_axis(m_axis, static_cast<int64_t>(ctx.input_shape(0).size()), ctx);
        ctx.set_output(0, LITE_FLOAT, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        const AxisSplit s = split_at_axis(in.shape, m_axis < 0 ? m_axis + rank : m_axis, m_coerce_2d);
        const float* x = in.as<float>();
        float* y = ctx.output(0).as<float>();
        if (in.numel() == 0) return;
        const int64_t n = s.n, inner = s.inner;
        ctx.parallel_for(s.outer, [&](int64_t begin, int64_t end) {
            std::vector<int64_t> best(static_cast<size_t>(inner));
            for (int64_t o = begin; o < end; ++o) {
                const float* xo = x + o * n * inner;
                float* yo = y + o * n * inner;
                std::fill(best.begin(), best.end(), 0);
                for (int64_t j = 1; j < n; ++j) {
                    for (int64_t i = 0; i < inner; ++i) {
                        if (xo[j * inner + i] > xo[best[i] * inner + i]) best[i] = j;
                    }
                }
                for (int64_t j = 0; j < n; ++j) {
                    for (int64_t i = 0; i < inner; ++i) yo[j * inner + i] = best[i] == j ? 1.f : 0.f;
                }
            }
        });
    }
    bool inplace_ok() const override { return true; }

private:
    bool m_coerce_2d;
    int64_t m_axis;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Hardmax, HardmaxKernel)
