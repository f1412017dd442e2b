// The CPU backend: device memory is aligned host memory, copies are memcpy. Conv, ConvTranspose, Gemm, MatMul and
// the memory-bound ops (MaxPool, AveragePool, GlobalAveragePool, Transpose, Softmax, LogSoftmax, Sigmoid, Tanh)
// run the backend's SIMD kernels (fast_kernels.h); every other op runs its reference kernel.
#include <cstdlib>
#include <cstring>
#include <thread>

#include "backends/backend.h"
#include "backends/cpu/fast_kernels.h"
#include "lite/error.h"

namespace lite::backend {
namespace {

class CpuBackend final : public Backend {
public:
    LiteDeviceType type() const override { return LITE_CPU; }
    const char* name() const override { return "cpu"; }
    int device_count() override { return 1; }
    std::string device_description(int) override {
        return "CPU (" + std::to_string(std::thread::hardware_concurrency()) + " hardware threads)";
    }

    Allocation allocate(int, size_t bytes) override {
        // aligned_alloc needs a size that is a multiple of the alignment; 0 bytes still gets a valid pointer.
        size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
        if (rounded == 0) rounded = kAlignment;
        void* ptr = std::aligned_alloc(kAlignment, rounded);
        if (!ptr) {
            throw Error(ErrorCode::OutOfMemory,
                        "cannot allocate " + std::to_string(bytes) + " bytes of host memory: free memory or use "
                                                                     "smaller tensors");
        }
        return {ptr, ptr, bytes};
    }
    void deallocate(int, const Allocation& allocation, bool) noexcept override { std::free(allocation.handle); }

    void copy_host_to_device(int, const Allocation& dst, size_t dst_offset, const void* src, size_t bytes) override {
        std::memcpy(static_cast<char*>(dst.handle) + dst_offset, src, bytes);
    }
    void copy_device_to_host(int, void* dst, const Allocation& src, size_t src_offset, size_t bytes) override {
        std::memcpy(dst, static_cast<const char*>(src.handle) + src_offset, bytes);
    }
    void copy_device_to_device(int, const Allocation& dst, size_t dst_offset, const Allocation& src,
                               size_t src_offset, size_t bytes) override {
        std::memmove(static_cast<char*>(dst.handle) + dst_offset, static_cast<const char*>(src.handle) + src_offset,
                     bytes);
    }
    void fill_zero(int, const Allocation& dst, size_t offset, size_t bytes) override {
        std::memset(static_cast<char*>(dst.handle) + offset, 0, bytes);
    }
    void synchronize(int) override {}

    std::unique_ptr<ops::Kernel> create_kernel(const std::string& op_type, const ops::Attributes& attributes,
                                               int opset) override {
        const cpu::SimdKernels& simd = cpu::best_simd();
        if (op_type == "Conv") return cpu::make_conv_kernel(attributes, opset, simd);
        if (op_type == "ConvTranspose") return cpu::make_conv_transpose_kernel(attributes, opset, simd);
        if (op_type == "Gemm") return cpu::make_gemm_kernel(attributes, opset, simd);
        if (op_type == "MatMul") return cpu::make_matmul_kernel(attributes, opset, simd);
        if (op_type == "MaxPool") return cpu::make_max_pool_kernel(attributes, opset, simd);
        if (op_type == "AveragePool") return cpu::make_average_pool_kernel(attributes, opset, simd);
        if (op_type == "GlobalAveragePool") return cpu::make_global_average_pool_kernel(attributes, opset, simd);
        if (op_type == "Transpose") return cpu::make_transpose_kernel(attributes, opset, simd);
        if (op_type == "Softmax") return cpu::make_softmax_kernel(attributes, opset, simd);
        if (op_type == "LogSoftmax") return cpu::make_log_softmax_kernel(attributes, opset, simd);
        if (op_type == "Sigmoid") return cpu::make_sigmoid_kernel(attributes, opset, simd);
        if (op_type == "Tanh") return cpu::make_tanh_kernel(attributes, opset, simd);
        return nullptr;
    }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace lite::backend
