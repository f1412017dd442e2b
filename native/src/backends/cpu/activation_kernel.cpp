// Sigmoid and Tanh on the CPU backend: float32 through the SIMD table's vector exp (simd.sigmoid, simd.tanh),
// split over the pool only when large. Shape inference, in-place use and the activation that the fusion pass
// moves into a producer are the reference kernel's.
#include "backends/cpu/fast_kernels.h"

namespace lite::backend::cpu {
namespace {

// Per element: a float read and one written, at about 1.3 times a pool's cost per float (the exp).
constexpr double kFloatsPerElement = 2.6;

class ActivationKernel final : public ReferenceBackedKernel {
public:
    using ArrayFn = void (*)(const float* x, int64_t n, float* y);

    ActivationKernel(std::unique_ptr<ops::Kernel> reference, ArrayFn fn) : ReferenceBackedKernel(std::move(reference)), m_fn(fn) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& in = ctx.input(0);
        if (in.dtype != LITE_FLOAT) {
            run_reference(ctx);
            return;
        }
        const float* x = in.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t n = in.numel();
        parallel_if(ctx, n, kFloatsPerElement * double(n),
                    [&](int64_t begin, int64_t end) { m_fn(x + begin, end - begin, y + begin); });
    }

private:
    ArrayFn m_fn;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_sigmoid_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<ActivationKernel>(ops::find_op("Sigmoid")->create(attributes, opset), simd.sigmoid);
}

std::unique_ptr<ops::Kernel> make_tanh_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<ActivationKernel>(ops::find_op("Tanh")->create(attributes, opset), simd.tanh);
}

}  // namespace lite::backend::cpu
