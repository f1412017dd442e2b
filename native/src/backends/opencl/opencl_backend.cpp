// The OpenCL backend: every device of every platform, numbered in platform order; one context and one
// in-order queue per device, created on first use; device memory as cl_mem buffers (host-visible on unified-memory devices). Networks get a queue of
// their own and node kernels (opencl_network.cpp).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "backends/backend.h"
#include "backends/opencl/opencl_loader.h"
#include "backends/opencl/opencl_network.h"
#include "lite/error.h"

namespace lite::backend {
namespace {

using opencl::Api;

void check(cl_int status, const char* what) {
    if (status == CL_SUCCESS) return;
    ErrorCode code = (status == CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL_OUT_OF_RESOURCES ||
                      status == CL_OUT_OF_HOST_MEMORY)
                             ? ErrorCode::OutOfMemory
                             : ErrorCode::DeviceUnavailable;
    throw Error(code, std::string("OpenCL ") + what + " failed with status " + std::to_string(status));
}

struct Device {
    cl_device_id id = nullptr;
    cl_context context = nullptr;
    cl_command_queue queue = nullptr;
    bool unified = false;  //!< CL_DEVICE_HOST_UNIFIED_MEMORY: tensors are host-visible (see allocate)
};

// Host memory wrapped with CL_MEM_USE_HOST_PTR is used in place by Mali, Adreno and PoCL only when page-aligned.
constexpr size_t kPage = 4096;

class OpenClBackend final : public Backend {
public:
    ~OpenClBackend() override {
        const Api* cl = opencl::api();
        for (auto& device : m_devices) {
            if (device.queue) cl->clReleaseCommandQueue(device.queue);
            if (device.context) cl->clReleaseContext(device.context);
        }
    }

    LiteDeviceType type() const override { return LITE_OPENCL; }
    const char* name() const override { return "opencl"; }

    int device_count() override {
        std::call_once(m_enumerated, [this] { enumerate(); });
        return static_cast<int>(m_devices.size());
    }

    std::string device_description(int device_id) override {
        Device& device = open(device_id);
        char name[256] = {0};
        char version[256] = {0};
        check(opencl::api()->clGetDeviceInfo(device.id, CL_DEVICE_NAME, sizeof(name) - 1, name, nullptr),
              "clGetDeviceInfo(CL_DEVICE_NAME)");
        check(opencl::api()->clGetDeviceInfo(device.id, CL_DEVICE_VERSION, sizeof(version) - 1, version, nullptr),
              "clGetDeviceInfo(CL_DEVICE_VERSION)");
        // "OpenCL 3.0 PoCL HSTR: ..." -> "OpenCL 3.0": the rest is vendor detail.
        std::string short_version(version);
        const size_t second_space = short_version.find(' ', short_version.find(' ') + 1);
        if (second_space != std::string::npos) short_version.resize(second_space);
        return std::string(name) + " (" + short_version + ", " +
               (device.unified ? "unified memory: shares memory with the CPU)" : "discrete: own memory)");
    }

    // On devices that share the host's memory (PoCL, Mali, Adreno) a tensor's buffer is page-aligned host memory
    // used in place (CL_MEM_USE_HOST_PTR) and kept mapped, so the CPU (and JS, through an ArrayBuffer) reads and
    // writes it directly: a camera frame written there is the device input, with no copy. A network run unmaps it
    // while its kernels use it (DeviceStream::attach). Elsewhere it is ordinary device memory.
    Allocation allocate(int device_id, size_t bytes) override {
        Device& device = open(device_id);
        const Api* cl = opencl::api();
        cl_int status = CL_SUCCESS;
        if (!device.unified) {
            cl_mem buffer = cl->clCreateBuffer(device.context, CL_MEM_READ_WRITE, bytes == 0 ? 1 : bytes, nullptr, &status);
            check(status, "clCreateBuffer");
            return {buffer, nullptr, bytes};
        }
        const size_t rounded = std::max<size_t>((bytes + kPage - 1) / kPage * kPage, kPage);
        void* host = std::aligned_alloc(kPage, rounded);
        if (!host) throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(bytes) + " bytes for an OpenCL tensor");
        cl_mem buffer = cl->clCreateBuffer(device.context, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, rounded, host, &status);
        if (status != CL_SUCCESS) std::free(host);
        check(status, "clCreateBuffer(CL_MEM_USE_HOST_PTR)");
        void* mapped = cl->clEnqueueMapBuffer(device.queue, buffer, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, rounded, 0,
                                              nullptr, nullptr, &status);
        if (status != CL_SUCCESS || mapped != host) {
            if (status == CL_SUCCESS) cl->clEnqueueUnmapMemObject(device.queue, buffer, mapped, 0, nullptr, nullptr);
            cl->clFinish(device.queue);
            cl->clReleaseMemObject(buffer);
            std::free(host);
            check(status, "clEnqueueMapBuffer");
            throw Error(ErrorCode::Internal, "OpenCL mapped a CL_MEM_USE_HOST_PTR buffer away from its host memory");
        }
        return {buffer, host, rounded};  // the whole pages: what the buffer and its mapping cover
    }

    void deallocate(int device_id, const Allocation& allocation, bool) noexcept override {
        const Api* cl = opencl::api();
        auto buffer = static_cast<cl_mem>(allocation.handle);
        if (allocation.host) {
            // Host-visible memory is mapped at rest: unmap it and let the device let go before freeing it.
            cl_command_queue queue = m_devices[static_cast<size_t>(device_id)].queue;
            cl->clEnqueueUnmapMemObject(queue, buffer, allocation.host, 0, nullptr, nullptr);
            cl->clFinish(queue);
            cl->clReleaseMemObject(buffer);
            std::free(allocation.host);
            return;
        }
        cl->clReleaseMemObject(buffer);
    }

    // Host-visible allocations are host memory (mapped): plain memory copies, as enqueued reads and writes of a
    // mapped buffer are undefined in OpenCL.
    void copy_host_to_device(int device_id, const Allocation& dst, size_t dst_offset, const void* src,
                             size_t bytes) override {
        if (dst.host) {
            std::memcpy(static_cast<char*>(dst.host) + dst_offset, src, bytes);
            return;
        }
        check(opencl::api()->clEnqueueWriteBuffer(open(device_id).queue, static_cast<cl_mem>(dst.handle), CL_TRUE,
                                                  dst_offset, bytes, src, 0, nullptr, nullptr),
              "clEnqueueWriteBuffer");
    }
    void copy_device_to_host(int device_id, void* dst, const Allocation& src, size_t src_offset,
                             size_t bytes) override {
        if (src.host) {
            std::memcpy(dst, static_cast<const char*>(src.host) + src_offset, bytes);
            return;
        }
        check(opencl::api()->clEnqueueReadBuffer(open(device_id).queue, static_cast<cl_mem>(src.handle), CL_TRUE,
                                                 src_offset, bytes, dst, 0, nullptr, nullptr),
              "clEnqueueReadBuffer");
    }
    void copy_device_to_device(int device_id, const Allocation& dst, size_t dst_offset, const Allocation& src,
                               size_t src_offset, size_t bytes) override {
        if (dst.host && src.host) {
            std::memmove(static_cast<char*>(dst.host) + dst_offset, static_cast<const char*>(src.host) + src_offset, bytes);
            return;
        }
        if (dst.host || src.host) {
            // One side mapped host memory, the other device memory: a read or write of the device side.
            if (dst.host) {
                copy_device_to_host(device_id, static_cast<char*>(dst.host) + dst_offset, src, src_offset, bytes);
            } else {
                copy_host_to_device(device_id, dst, dst_offset, static_cast<const char*>(src.host) + src_offset, bytes);
            }
            return;
        }
        cl_command_queue queue = open(device_id).queue;
        check(opencl::api()->clEnqueueCopyBuffer(queue, static_cast<cl_mem>(src.handle),
                                                 static_cast<cl_mem>(dst.handle), src_offset, dst_offset, bytes, 0,
                                                 nullptr, nullptr),
              "clEnqueueCopyBuffer");
        check(opencl::api()->clFinish(queue), "clFinish");
    }
    void fill_zero(int device_id, const Allocation& dst, size_t offset, size_t bytes) override {
        if (dst.host) {
            std::memset(static_cast<char*>(dst.host) + offset, 0, bytes);
            return;
        }
        cl_command_queue queue = open(device_id).queue;
        const cl_uchar zero = 0;
        check(opencl::api()->clEnqueueFillBuffer(queue, static_cast<cl_mem>(dst.handle), &zero, sizeof(zero), offset,
                                                 bytes, 0, nullptr, nullptr),
              "clEnqueueFillBuffer");
        check(opencl::api()->clFinish(queue), "clFinish");
    }
    void synchronize(int device_id) override { check(opencl::api()->clFinish(open(device_id).queue), "clFinish"); }

    std::unique_ptr<DeviceStream> create_stream(int device_id) override {
        Device& device = open(device_id);
        return opencl::make_stream(device.context, device.id);
    }
    std::unique_ptr<DeviceKernel> create_device_kernel(int device_id, const NodeDesc& node) override {
        Device& device = open(device_id);
        return opencl::make_node_kernel(device.context, device.id, node);
    }
    bool host_unified_memory(int device_id) override { return open(device_id).unified; }

private:
    void enumerate() {
        const Api* cl = opencl::api();
        if (!cl) return;
        cl_uint platform_count = 0;
        if (cl->clGetPlatformIDs(0, nullptr, &platform_count) != CL_SUCCESS || platform_count == 0) return;
        std::vector<cl_platform_id> platforms(platform_count);
        if (cl->clGetPlatformIDs(platform_count, platforms.data(), nullptr) != CL_SUCCESS) return;
        for (cl_platform_id platform : platforms) {
            cl_uint count = 0;
            if (cl->clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) continue;
            std::vector<cl_device_id> ids(count);
            if (cl->clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr) != CL_SUCCESS) continue;
            for (cl_device_id id : ids) m_devices.push_back(Device{id, nullptr, nullptr, false});
        }
    }

    Device& open(int device_id) {
        if (device_id < 0 || device_id >= device_count()) {
            throw Error(ErrorCode::DeviceUnavailable, "no OpenCL device " + std::to_string(device_id));
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        Device& device = m_devices[static_cast<size_t>(device_id)];
        if (!device.context) {
            const Api* cl = opencl::api();
            cl_int status = CL_SUCCESS;
            device.context = cl->clCreateContext(nullptr, 1, &device.id, nullptr, nullptr, &status);
            check(status, "clCreateContext");
            device.queue = cl->clCreateCommandQueue(device.context, device.id, 0, &status);
            check(status, "clCreateCommandQueue");
            cl_bool unified = CL_FALSE;
            check(cl->clGetDeviceInfo(device.id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof(unified), &unified, nullptr),
                  "clGetDeviceInfo(CL_DEVICE_HOST_UNIFIED_MEMORY)");
            device.unified = unified == CL_TRUE;
        }
        return device;
    }

    std::once_flag m_enumerated;
    std::mutex m_mutex;
    std::vector<Device> m_devices;
};

}  // namespace

std::unique_ptr<Backend> make_opencl_backend() { return std::make_unique<OpenClBackend>(); }

}  // namespace lite::backend
