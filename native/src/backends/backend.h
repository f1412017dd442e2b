// The backend interface: everything the core needs from a device (enumeration, memory, copies, ordering).
// The core only talks to devices through this interface and never asks which backend it is talking to.
// Devices that run networks add a stream and per-node device kernels; a backend lives entirely in its own folder.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "lite/common.h"
#include "ops/op.h"

namespace lite::backend {

//! One device memory allocation. `handle` is what the backend's own calls take (a device pointer for CUDA,
//! a cl_mem for OpenCL, the address itself for CPU); `host` is a CPU address for the same bytes when the
//! CPU can reach them (CPU memory, pinned/mapped memory, unified-memory devices), else nullptr.
struct Allocation {
    void* handle = nullptr;
    void* host = nullptr;
    size_t bytes = 0;
};

//! A tensor as a device kernel sees it: an allocation's handle (a cl_mem for OpenCL) and a byte offset into it.
//! A null handle is an absent input (or a constant the kernel holds itself).
struct DeviceTensor {
    void* handle = nullptr;
    size_t offset = 0;
};

//! What a backend needs to decide whether it can run a node on its device and to prepare the launch. Shapes are
//! the planned ones (known at load); `constant` is the value of an input that is a constant (weights, axes,
//! scales), else nullptr.
struct NodeDesc {
    struct Tensor {
        bool present = false;
        LiteDataType dtype = LITE_FLOAT;
        ops::Shape shape;
        const ops::TensorView* constant = nullptr;
    };
    std::string op_type;
    const ops::Attributes* attributes = nullptr;
    int opset = 0;
    std::vector<Tensor> inputs, outputs;
    ops::Activation activation;  //!< fused into the node's epilogue by the passes (Conv, ConvTranspose, Gemm, MatMul)
    bool residual = false;       //!< Conv with a fused residual add: input 3
};

//! The ordered queue of one network on one device and the host memory it shares with the device. Host memory is
//! wrapped once (zero copy where the device shares memory with the CPU) and then belongs either to the host or to
//! the device: to_device() before device kernels use it after the CPU wrote it, to_host() (which waits for the
//! device's queued work) before the CPU reads or writes it again.
class DeviceStream {
public:
    virtual ~DeviceStream() = default;
    //! Host memory that this device's kernels can use in place; it starts as the host's.
    virtual Allocation wrap_host(void* host, size_t bytes) = 0;
    virtual void unwrap_host(const Allocation& allocation) noexcept = 0;
    //! Memory of this device that Backend::allocate made (a device tensor bound as a network input or output):
    //! the kernels use it as it is. Host-visible memory (Allocation::host) belongs to the host at rest and is
    //! handed over by to_device()/to_host() like wrapped memory; detach() hands it back to the host.
    virtual void attach(const Allocation& allocation) = 0;
    virtual void detach(const Allocation& allocation) noexcept = 0;
    virtual void to_device(const Allocation& allocation) = 0;
    virtual void to_host(const Allocation& allocation) = 0;
    //! Waits for every queued command.
    virtual void finish() = 0;
};

//! One node prepared to run on a device: attributes resolved, constants uploaded (owned by the kernel).
class DeviceKernel {
public:
    virtual ~DeviceKernel() = default;
    //! Enqueues the node on the stream. inputs/outputs parallel the node's; constant inputs are passed as {}.
    virtual void run(DeviceStream& stream, const std::vector<DeviceTensor>& inputs,
                     const std::vector<DeviceTensor>& outputs) = 0;
    //! Bytes of constants uploaded to the device when the kernel was made (for the copy statistics).
    virtual size_t uploaded_bytes() const { return 0; }
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual LiteDeviceType type() const = 0;
    //! Lower-case name, e.g. "cpu", "cuda", "opencl".
    virtual const char* name() const = 0;
    //! Devices usable now; 0 when the driver or runtime is missing. Never throws.
    virtual int device_count() = 0;
    //! Human-readable description of a device, for `edgelite info` and error messages.
    virtual std::string device_description(int device_id) = 0;

    //! Device memory of at least `bytes`, aligned to kAlignment; throws Error(OutOfMemory). On devices that share
    //! the host's memory it may be host-visible (`host` set, page-aligned): the CPU reads and writes it in place
    //! whenever no network run has handed it to the device (DeviceStream::attach), and copies to or from it are
    //! plain memory copies.
    virtual Allocation allocate(int device_id, size_t bytes) = 0;
    //! Page-locked host memory when the backend has it (CUDA); returns an Allocation with host == handle.
    //! Backends without pinned memory return {} and the core falls back to ordinary host memory.
    virtual Allocation allocate_pinned_host(size_t /*bytes*/) { return {}; }
    virtual void deallocate(int device_id, const Allocation& allocation, bool pinned_host) noexcept = 0;

    //! Copies between host memory and this backend's memory; offsets are in bytes into the allocation.
    //! They complete before returning (asynchronous variants come with streams).
    virtual void copy_host_to_device(int device_id, const Allocation& dst, size_t dst_offset, const void* src,
                                     size_t bytes) = 0;
    virtual void copy_device_to_host(int device_id, void* dst, const Allocation& src, size_t src_offset,
                                     size_t bytes) = 0;
    virtual void copy_device_to_device(int device_id, const Allocation& dst, size_t dst_offset, const Allocation& src,
                                       size_t src_offset, size_t bytes) = 0;
    virtual void fill_zero(int device_id, const Allocation& dst, size_t offset, size_t bytes) = 0;
    //! Waits for all queued work on the device.
    virtual void synchronize(int device_id) = 0;

    //! A faster kernel of this backend for a node, or nullptr to use the op's reference kernel. Fast kernels
    //! must give the reference kernel's results (test/native/kernel_oracle_test.cpp holds them to it) and may
    //! fall back to the reference computation for shapes they do not cover.
    virtual std::unique_ptr<ops::Kernel> create_kernel(const std::string& /*op_type*/, const ops::Attributes& /*attributes*/,
                                                       int /*opset*/) {
        return nullptr;
    }

    // ---- Running networks (optional: backends without them leave networks to the CPU) ----

    //! A new queue on the device for one network, or nullptr when this backend cannot run networks.
    virtual std::unique_ptr<DeviceStream> create_stream(int /*device_id*/) { return nullptr; }
    //! The node prepared for the device, or nullptr when the device cannot run it (the node then runs on the CPU).
    //! May build the device's programs on first use.
    virtual std::unique_ptr<DeviceKernel> create_device_kernel(int /*device_id*/, const NodeDesc& /*node*/) {
        return nullptr;
    }
    //! True when the device uses the host's memory (integrated GPUs, CPU devices): wrapped host memory is zero copy.
    virtual bool host_unified_memory(int /*device_id*/) { return false; }
};

//! The backend for a device type, or nullptr when this build does not include it.
Backend* find_backend(LiteDeviceType type);
//! The backend for a device type with device_id present; otherwise throws Error(DeviceUnavailable) saying why
//! (not built in, no device found, id out of range) and what to do.
Backend& require_backend(LiteDeviceType type, int device_id);

//! Factories of the built-in backends, each defined in its own folder; the registry (backend.cpp) lists
//! the ones this build includes, like ggml's backend registry.
std::unique_ptr<Backend> make_cpu_backend();
#ifdef EDGELITE_WITH_CUDA
std::unique_ptr<Backend> make_cuda_backend();
#endif
#ifdef EDGELITE_WITH_OPENCL
std::unique_ptr<Backend> make_opencl_backend();
#endif

}  // namespace lite::backend
