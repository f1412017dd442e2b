// Running networks on CUDA. The node mapping (a NodeDesc's attributes and planned shapes resolved into the Args of
// kernels/*.cuh, once, at load) is plain host C++ and talks to the device only through two small interfaces: a
// Launcher (one launch per kernel of EDGELITE_CUDA_KERNELS) and ConstantMemory (weights uploaded once). The device's
// implementations live in cuda_backend.cpp (cudaStream_t, cudaMalloc); the host emulator's (emulate.h over host
// memory) live here, so that the mapping and the executor's placement and ownership hand-overs are tested on
// machines without a GPU (test/native/cuda_network_emulated_test.cpp).
#pragma once

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/kernels/kernels.cuh"

namespace lite::backend::cuda {

//! Queues kernels of kernels/kernels.cuh in order on one network's stream.
class Launcher {
public:
    virtual ~Launcher() = default;
#define EDGELITE_CUDA_LAUNCHER_SLOT(NAME) virtual void launch(const kernels::NAME##Args& args) = 0;
    EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_LAUNCHER_SLOT)
#undef EDGELITE_CUDA_LAUNCHER_SLOT
};

//! A network's stream: the executor's DeviceStream, whose launcher the node kernels queue on. Allocation handles
//! are addresses the kernels dereference (device pointers; host pointers in the emulator).
class NetworkStream : public DeviceStream {
public:
    virtual Launcher& launcher() = 0;
};

//! Where node kernels keep their constant inputs (weights, biases, constant operands) for their lifetime.
class ConstantMemory {
public:
    virtual ~ConstantMemory() = default;
    //! A copy of `bytes` (> 0) bytes the kernels can read; counted by the executor as a host-to-device copy.
    virtual void* upload(const void* host, size_t bytes) = 0;
    virtual void release(void* copy) noexcept = 0;
};

//! The node prepared for the CUDA kernels, or nullptr when they do not cover it (op, dtype, rank, attributes):
//! the node then runs on the CPU. `constants` must outlive the kernel.
std::unique_ptr<DeviceKernel> make_node_kernel(ConstantMemory& constants, const NodeDesc& node);

//! The host emulator as a backend: one "device" whose memory is host memory, whose stream runs every launch at once
//! through kernels::emulate<K>() (the same per-thread and per-tile code the device runs, over the same grid).
std::unique_ptr<Backend> make_emulated_backend();

namespace testing {
//! Test hook (never set by the runtime): while on, the CUDA backend answers with the emulated backend (one device),
//! so a LITE_CUDA network runs its CUDA-covered nodes through the emulator. Set it before loading the network.
void set_emulated_device(bool on);
bool emulated_device();
}  // namespace testing

}  // namespace lite::backend::cuda
