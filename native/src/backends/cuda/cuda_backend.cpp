// The CUDA backend: device memory through cudaMalloc, pinned host memory through cudaHostAlloc (mapped, so that
// integrated GPUs such as Jetson read it in place), synchronous copies for now; streams come with the CUDA issue.
#include <cuda_runtime_api.h>

#include "backends/backend.h"
#include "lite/error.h"

namespace lite::backend {
namespace {

void check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    ErrorCode code = status == cudaErrorMemoryAllocation ? ErrorCode::OutOfMemory : ErrorCode::DeviceUnavailable;
    throw Error(code, std::string("CUDA ") + what + " failed: " + cudaGetErrorString(status));
}

class CudaBackend final : public Backend {
public:
    LiteDeviceType type() const override { return LITE_CUDA; }
    const char* name() const override { return "cuda"; }

    int device_count() override {
        int count = 0;
        // Without a driver or GPU this reports an error: that simply means no device.
        if (cudaGetDeviceCount(&count) != cudaSuccess) {
            cudaGetLastError();  // clear the sticky error state
            return 0;
        }
        return count;
    }

    std::string device_description(int device_id) override {
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, device_id), "cudaGetDeviceProperties");
        return std::string(prop.name) + " (compute " + std::to_string(prop.major) + "." + std::to_string(prop.minor) +
               (prop.integrated ? ", integrated: shares memory with the CPU)" : ", discrete)");
    }

    Allocation allocate(int device_id, size_t bytes) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        void* ptr = nullptr;
        check(cudaMalloc(&ptr, bytes == 0 ? 1 : bytes), "cudaMalloc");
        return {ptr, nullptr, bytes};
    }

    Allocation allocate_pinned_host(size_t bytes) override {
        void* ptr = nullptr;
        if (cudaHostAlloc(&ptr, bytes == 0 ? 1 : bytes, cudaHostAllocMapped | cudaHostAllocPortable) != cudaSuccess) {
            cudaGetLastError();
            return {};
        }
        return {ptr, ptr, bytes};
    }

    void deallocate(int, const Allocation& allocation, bool pinned_host) noexcept override {
        if (pinned_host) {
            cudaFreeHost(allocation.handle);
        } else {
            cudaFree(allocation.handle);
        }
    }

    void copy_host_to_device(int device_id, const Allocation& dst, size_t dst_offset, const void* src,
                             size_t bytes) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(static_cast<char*>(dst.handle) + dst_offset, src, bytes, cudaMemcpyHostToDevice),
              "cudaMemcpy host to device");
    }
    void copy_device_to_host(int device_id, void* dst, const Allocation& src, size_t src_offset,
                             size_t bytes) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(dst, static_cast<const char*>(src.handle) + src_offset, bytes, cudaMemcpyDeviceToHost),
              "cudaMemcpy device to host");
    }
    void copy_device_to_device(int device_id, const Allocation& dst, size_t dst_offset, const Allocation& src,
                               size_t src_offset, size_t bytes) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(static_cast<char*>(dst.handle) + dst_offset,
                         static_cast<const char*>(src.handle) + src_offset, bytes, cudaMemcpyDeviceToDevice),
              "cudaMemcpy device to device");
    }
    void fill_zero(int device_id, const Allocation& dst, size_t offset, size_t bytes) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemset(static_cast<char*>(dst.handle) + offset, 0, bytes), "cudaMemset");
    }
    void synchronize(int device_id) override {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend() { return std::make_unique<CudaBackend>(); }

}  // namespace lite::backend
