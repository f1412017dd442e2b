// The CPU backend's fast kernels, each built on one SIMD table (the CPU's best in production; tests build one per
// table). Each computes what the op's reference kernel computes and runs the reference kernel itself for the cases
// it does not cover.
#pragma once

#include <memory>

#include "backends/cpu/simd.h"
#include "ops/op.h"

namespace lite::backend::cpu {

std::unique_ptr<ops::Kernel> make_conv_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_conv_transpose_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_gemm_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_matmul_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);

//! Whether a weight input is a constant of the model, decided from what infer() sees: at load, a constant
//! weight has a value while the data input has none; at run time (dynamic shapes) every input has a value, which
//! says nothing. Weights known constant are packed once and kept.
class ConstantInput {
public:
    void observe(const ops::InferContext& ctx, size_t weight, size_t data) {
        if (!ctx.input_value(weight)) {
            m_state = State::Varying;
        } else if (!ctx.input_value(data) && m_state == State::Unknown) {
            m_state = State::Constant;
        }
    }
    bool constant() const { return m_state == State::Constant; }

private:
    enum class State { Unknown, Constant, Varying };
    State m_state = State::Unknown;
};

//! The run context's thread pool as the SGEMM driver takes it.
inline ops::ParallelFor parallel_of(const ops::RunContext& ctx) {
    return [&ctx](int64_t n, const std::function<void(int64_t, int64_t)>& fn) { ctx.parallel_for(n, fn); };
}

}  // namespace lite::backend::cpu
