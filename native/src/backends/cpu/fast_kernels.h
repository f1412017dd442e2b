// The CPU backend's fast kernels, each built on one SIMD table (the CPU's best in production; tests build one per
// table). Each computes what the op's reference kernel computes and runs the reference kernel itself for the cases
// it does not cover.
#pragma once

#include <memory>

#include "backends/cpu/sgemm.h"
#include "backends/cpu/simd.h"
#include "ops/op.h"

namespace lite::backend::cpu {

std::unique_ptr<ops::Kernel> make_conv_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_conv_transpose_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_gemm_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_matmul_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
// The memory-bound ops: float fast paths, the reference kernel for everything else.
std::unique_ptr<ops::Kernel> make_max_pool_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_average_pool_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_global_average_pool_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_transpose_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_softmax_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_log_softmax_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_sigmoid_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);
std::unique_ptr<ops::Kernel> make_tanh_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd);

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

//! A fast kernel that keeps its op's reference kernel for shape inference, for what the op says of itself (in-place
//! use, the activation it stands for: the passes ask) and for the cases its run() does not cover.
class ReferenceBackedKernel : public ops::Kernel {
public:
    explicit ReferenceBackedKernel(std::unique_ptr<ops::Kernel> reference) : m_reference(std::move(reference)) {}
    void infer(ops::InferContext& ctx) override { m_reference->infer(ctx); }
    bool inplace_ok() const override { return m_reference->inplace_ok(); }
    bool output_shape_from_run() const override { return m_reference->output_shape_from_run(); }
    bool as_activation(const std::vector<const ops::TensorView*>& constant_inputs, ops::Activation& out) const override {
        return m_reference->as_activation(constant_inputs, out);
    }

protected:
    void run_reference(ops::RunContext& ctx) { m_reference->run(ctx); }

private:
    std::unique_ptr<ops::Kernel> m_reference;
};

//! fn(begin, end) over [0, n): on the pool when the loop moves at least gemm_tuning().serial_floats floats (read
//! plus written, weighted by their cost against a pool's), else on the calling thread. The memory-bound kernels
//! do a float in about 0.1 ns, so the pool's own gate (by tensor size, sized for scalar loops) would split loops
//! that a parallel_for costs more than it saves.
inline void parallel_if(const ops::RunContext& ctx, int64_t n, double floats,
                        const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    if (n == 1 || floats < gemm_tuning().serial_floats) {
        fn(0, n);
    } else {
        ctx.parallel_for(n, fn);
    }
}

}  // namespace lite::backend::cpu
