// Softmax and LogSoftmax on the CPU backend: float32 rows along the innermost contiguous axis (opset 13's last
// axis, or any axis followed only by dims of size 1; before opset 13, always, as the input is coerced to 2-D) run
// the SIMD table's vector exp, one row at a time. Other axes run the reference kernel.
#include <cmath>

#include "backends/cpu/fast_kernels.h"
#include "ops/reduce_common.h"

namespace lite::backend::cpu {
namespace {

// Per element: a float read and one written, at about 1.3 times a pool's cost per float (three passes, one exp).
constexpr double kFloatsPerElement = 2.6;

class SoftmaxKernel final : public ReferenceBackedKernel {
public:
    SoftmaxKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd, bool log)
            : ReferenceBackedKernel(ops::find_op(log ? "LogSoftmax" : "Softmax")->create(attributes, opset)),
              m_coerce_2d(opset < 13),
              m_axis(attributes.get_int("axis", opset < 13 ? 1 : -1)),
              m_log(log),
              m_simd(simd) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& in = ctx.input(0);
        if (in.numel() == 0) return;
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        const ops::AxisSplit s = ops::split_at_axis(in.shape, m_axis < 0 ? m_axis + rank : m_axis, m_coerce_2d);
        if (in.dtype != LITE_FLOAT || s.inner != 1) {
            run_reference(ctx);
            return;
        }
        const float* x = in.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t n = s.n;
        parallel_if(ctx, s.outer, kFloatsPerElement * double(s.outer * n), [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                if (m_log) {
                    log_softmax_row(x + r * n, n, y + r * n);
                } else {
                    m_simd.softmax_row(x + r * n, n, y + r * n);
                }
            }
        });
    }

private:
    // x - (max + log(sum(exp(x - max)))), the reference's steps; y may be x.
    void log_softmax_row(const float* x, int64_t n, float* y) const {
        const float max = m_simd.row_max(x, n);
        const float shift = max + std::log(m_simd.exp_sum(x, n, max, nullptr));
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] - shift;
    }

    bool m_coerce_2d;
    int64_t m_axis;
    bool m_log;
    const SimdKernels& m_simd;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_softmax_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<SoftmaxKernel>(attributes, opset, simd, false);
}

std::unique_ptr<ops::Kernel> make_log_softmax_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<SoftmaxKernel>(attributes, opset, simd, true);
}

}  // namespace lite::backend::cpu
