// The CUDA backend: device memory, copies, pinned host memory, and networks: one cudaStream_t per network
// (CudaStream) on which the node kernels of cuda_network.cpp queue the launch functions of cuda_kernels.h.
// Memory a network shares with the host (the executor's arena, host IO tensors):
//   - integrated GPUs (Jetson: cudaDevAttrIntegrated) use it in place: the page-aligned host memory is pinned and
//     mapped (cudaHostRegister(cudaHostRegisterMapped) + cudaHostGetDevicePointer; memory that is already mapped
//     pinned memory, e.g. from allocate_pinned_host, is used as it is), and ownership changes only wait for the stream;
//     device tensors (allocate) are mapped pinned memory (cudaHostAlloc(cudaHostAllocMapped)), host-visible;
//   - discrete GPUs get a device copy of it: to_device() copies host to device and to_host() device to host, both
//     counted in the copy statistics. Simple and correct; a network alternating CPU and GPU nodes pays for it.
// With the test hook of cuda_network.h on, every call goes to the host emulator's backend instead.
#include <cuda_runtime_api.h>

#include <map>
#include <mutex>

#include "backends/backend.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cuda_network.h"
#include "core/copy_stats.h"
#include "lite/error.h"

namespace lite::backend {
namespace {

void check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear a non-sticky error
    ErrorCode code = status == cudaErrorMemoryAllocation ? ErrorCode::OutOfMemory : ErrorCode::DeviceUnavailable;
    throw Error(code, std::string("CUDA ") + what + " failed: " + cudaGetErrorString(status));
}

bool integrated(int device_id) {
    int value = 0;
    check(cudaDeviceGetAttribute(&value, cudaDevAttrIntegrated, device_id), "cudaDeviceGetAttribute(integrated)");
    return value != 0;
}

class StreamLauncher final : public cuda::Launcher {
public:
    explicit StreamLauncher(cudaStream_t stream) : m_stream(stream) {}
#define EDGELITE_CUDA_STREAM_SLOT(NAME) \
    void launch(const cuda::kernels::NAME##Args& args) override { cuda::launch(args, m_stream); }
    EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_STREAM_SLOT)
#undef EDGELITE_CUDA_STREAM_SLOT

private:
    cudaStream_t m_stream;
};

class CudaStream final : public cuda::NetworkStream {
public:
    CudaStream(int device_id, bool integrated) : m_device(device_id), m_integrated(integrated) {
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), "cudaStreamCreate(network)");
        m_launcher = std::make_unique<StreamLauncher>(m_stream);
    }
    ~CudaStream() override {
        cudaStreamSynchronize(m_stream);
        for (auto& [handle, region] : m_regions) release(handle, region);
        cudaStreamDestroy(m_stream);
    }
    cuda::Launcher& launcher() override { return *m_launcher; }

    Allocation wrap_host(void* host, size_t bytes) override {
        check(cudaSetDevice(m_device), "cudaSetDevice");
        Region region{host, bytes, Kind::Shadow, 1};
        void* device = nullptr;
        if (m_integrated) {
            if (cudaHostGetDevicePointer(&device, host, 0) == cudaSuccess) {
                region.kind = Kind::Mapped;  // already mapped pinned memory
            } else {
                cudaGetLastError();
                device = nullptr;
                if (cudaHostRegister(host, bytes, cudaHostRegisterMapped) == cudaSuccess) {
                    if (cudaHostGetDevicePointer(&device, host, 0) == cudaSuccess) {
                        region.kind = Kind::Registered;
                    } else {
                        cudaHostUnregister(host);
                        device = nullptr;
                    }
                }
                cudaGetLastError();  // memory that cannot be pinned falls back to a device copy
            }
        }
        if (!device) check(cudaMalloc(&device, bytes == 0 ? 1 : bytes), "cudaMalloc(network memory)");
        auto [found, added] = m_regions.emplace(device, region);
        if (!added) ++found->second.refs;  // two IO tensors on the same memory
        return {device, host, bytes};
    }
    void unwrap_host(const Allocation& allocation) noexcept override {
        auto found = m_regions.find(allocation.handle);
        if (found == m_regions.end() || --found->second.refs > 0) return;
        cudaStreamSynchronize(m_stream);
        release(found->first, found->second);
        m_regions.erase(found);
    }
    void attach(const Allocation& allocation) override {
        auto [found, added] = m_regions.emplace(allocation.handle, Region{allocation.host, allocation.bytes, Kind::Attached, 1});
        if (!added) ++found->second.refs;
    }
    void detach(const Allocation& allocation) noexcept override {
        cudaStreamSynchronize(m_stream);
        unwrap_host(allocation);
    }
    void to_device(const Allocation& allocation) override {
        const Region& region = m_regions.at(allocation.handle);
        if (region.kind != Kind::Shadow) return;  // the device reads the host's bytes in place
        check(cudaMemcpyAsync(allocation.handle, region.host, region.bytes, cudaMemcpyHostToDevice, m_stream),
              "cudaMemcpyAsync(network memory to device)");
        count_copy(LITE_CPU, LITE_CUDA, region.bytes);
    }
    void to_host(const Allocation& allocation) override {
        const Region& region = m_regions.at(allocation.handle);
        if (region.kind == Kind::Shadow) {
            check(cudaMemcpyAsync(region.host, allocation.handle, region.bytes, cudaMemcpyDeviceToHost, m_stream),
                  "cudaMemcpyAsync(network memory to host)");
            count_copy(LITE_CUDA, LITE_CPU, region.bytes);
        }
        finish();
    }
    void finish() override { check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize(network)"); }

private:
    enum class Kind { Mapped, Registered, Shadow, Attached };
    struct Region {
        void* host = nullptr;
        size_t bytes = 0;
        Kind kind = Kind::Shadow;
        int refs = 1;
    };
    static void release(void* handle, const Region& region) noexcept {
        if (region.kind == Kind::Registered) cudaHostUnregister(region.host);
        if (region.kind == Kind::Shadow) cudaFree(handle);
    }
    int m_device;
    bool m_integrated;
    cudaStream_t m_stream = nullptr;
    std::unique_ptr<StreamLauncher> m_launcher;
    std::map<void*, Region> m_regions;  // by device address
};

//! Constants in device memory, uploaded once per node kernel (counted by the executor).
class DeviceConstants final : public cuda::ConstantMemory {
public:
    explicit DeviceConstants(int device_id) : m_device(device_id) {}
    void* upload(const void* host, size_t bytes) override {
        check(cudaSetDevice(m_device), "cudaSetDevice");
        void* copy = nullptr;
        check(cudaMalloc(&copy, bytes), "cudaMalloc(constant)");
        if (cudaMemcpy(copy, host, bytes, cudaMemcpyHostToDevice) != cudaSuccess) {
            cudaFree(copy);
            check(cudaGetLastError(), "cudaMemcpy(constant to device)");
        }
        return copy;
    }
    void release(void* copy) noexcept override { cudaFree(copy); }

private:
    int m_device;
};

class CudaBackend final : public Backend {
public:
    LiteDeviceType type() const override { return LITE_CUDA; }
    const char* name() const override { return "cuda"; }

    int device_count() override {
        if (Backend* e = emulated()) return e->device_count();
        int count = 0;
        // Without a driver or GPU this reports an error: that simply means no device.
        if (cudaGetDeviceCount(&count) != cudaSuccess) {
            cudaGetLastError();  // clear the sticky error state
            return 0;
        }
        return count;
    }

    std::string device_description(int device_id) override {
        if (Backend* e = emulated()) return e->device_description(device_id);
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, device_id), "cudaGetDeviceProperties");
        return std::string(prop.name) + " (compute " + std::to_string(prop.major) + "." + std::to_string(prop.minor) +
               (prop.integrated ? ", integrated: shares memory with the CPU)" : ", discrete)");
    }

    Allocation allocate(int device_id, size_t bytes) override {
        if (Backend* e = emulated()) return e->allocate(device_id, bytes);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        void* ptr = nullptr;
        if (host_unified_memory(device_id)) {
            // Host-visible on integrated GPUs: the CPU reads and writes device tensors in place.
            check(cudaHostAlloc(&ptr, bytes == 0 ? 1 : bytes, cudaHostAllocMapped | cudaHostAllocPortable), "cudaHostAlloc(mapped)");
            void* device = nullptr;
            if (cudaHostGetDevicePointer(&device, ptr, 0) != cudaSuccess) {
                cudaFreeHost(ptr);
                check(cudaGetLastError(), "cudaHostGetDevicePointer");
            }
            return {device, ptr, bytes};
        }
        check(cudaMalloc(&ptr, bytes == 0 ? 1 : bytes), "cudaMalloc");
        return {ptr, nullptr, bytes};
    }

    Allocation allocate_pinned_host(size_t bytes) override {
        if (Backend* e = emulated()) return e->allocate_pinned_host(bytes);
        void* ptr = nullptr;
        if (cudaHostAlloc(&ptr, bytes == 0 ? 1 : bytes, cudaHostAllocMapped | cudaHostAllocPortable) != cudaSuccess) {
            cudaGetLastError();
            return {};
        }
        return {ptr, ptr, bytes};
    }

    void deallocate(int device_id, const Allocation& allocation, bool pinned_host) noexcept override {
        if (Backend* e = emulated()) return e->deallocate(device_id, allocation, pinned_host);
        if (pinned_host || allocation.host) {  // pinned host memory, or a mapped device tensor of an integrated GPU
            cudaFreeHost(allocation.host ? allocation.host : allocation.handle);
        } else {
            cudaFree(allocation.handle);
        }
    }

    void copy_host_to_device(int device_id, const Allocation& dst, size_t dst_offset, const void* src,
                             size_t bytes) override {
        if (Backend* e = emulated()) return e->copy_host_to_device(device_id, dst, dst_offset, src, bytes);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(static_cast<char*>(dst.handle) + dst_offset, src, bytes, cudaMemcpyHostToDevice),
              "cudaMemcpy host to device");
    }
    void copy_device_to_host(int device_id, void* dst, const Allocation& src, size_t src_offset,
                             size_t bytes) override {
        if (Backend* e = emulated()) return e->copy_device_to_host(device_id, dst, src, src_offset, bytes);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(dst, static_cast<const char*>(src.handle) + src_offset, bytes, cudaMemcpyDeviceToHost),
              "cudaMemcpy device to host");
    }
    void copy_device_to_device(int device_id, const Allocation& dst, size_t dst_offset, const Allocation& src,
                               size_t src_offset, size_t bytes) override {
        if (Backend* e = emulated()) return e->copy_device_to_device(device_id, dst, dst_offset, src, src_offset, bytes);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemcpy(static_cast<char*>(dst.handle) + dst_offset,
                         static_cast<const char*>(src.handle) + src_offset, bytes, cudaMemcpyDeviceToDevice),
              "cudaMemcpy device to device");
    }
    void fill_zero(int device_id, const Allocation& dst, size_t offset, size_t bytes) override {
        if (Backend* e = emulated()) return e->fill_zero(device_id, dst, offset, bytes);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaMemset(static_cast<char*>(dst.handle) + offset, 0, bytes), "cudaMemset");
    }
    void synchronize(int device_id) override {
        if (Backend* e = emulated()) return e->synchronize(device_id);
        check(cudaSetDevice(device_id), "cudaSetDevice");
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    std::unique_ptr<DeviceStream> create_stream(int device_id) override {
        if (Backend* e = emulated()) return e->create_stream(device_id);
        return std::make_unique<CudaStream>(device_id, host_unified_memory(device_id));
    }
    std::unique_ptr<DeviceKernel> create_device_kernel(int device_id, const NodeDesc& node) override {
        if (Backend* e = emulated()) return e->create_device_kernel(device_id, node);
        DeviceConstants* constants = nullptr;
        {
            std::lock_guard<std::mutex> lock(m_mutex);  // networks may load on several threads
            auto& slot = m_constants[device_id];
            if (!slot) slot = std::make_unique<DeviceConstants>(device_id);
            constants = slot.get();
        }
        return cuda::make_node_kernel(*constants, node);
    }
    bool host_unified_memory(int device_id) override {
        if (Backend* e = emulated()) return e->host_unified_memory(device_id);
        return integrated(device_id);
    }

private:
    //! The host emulator while the test hook is on (cuda_network.h), else nullptr.
    Backend* emulated() {
        if (!cuda::testing::emulated_device()) return nullptr;
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_emulated) m_emulated = cuda::make_emulated_backend();
        return m_emulated.get();
    }
    std::map<int, std::unique_ptr<DeviceConstants>> m_constants;  // per device; the backend outlives every network
    std::unique_ptr<Backend> m_emulated;
    std::mutex m_mutex;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend() { return std::make_unique<CudaBackend>(); }

}  // namespace lite::backend
