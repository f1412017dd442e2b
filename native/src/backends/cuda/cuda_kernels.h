// The CUDA kernels' launch API: one `launch` overload per kernel of kernels/kernels.cuh, taking the kernel's
// arguments (device pointers, shapes and parameters, built by the executor or by the builders in the .cuh files)
// and the stream to queue it on. Launches are asynchronous: a launch error (bad configuration, no device) throws
// lite::Error naming the kernel; errors while the kernel runs surface at the stream's next synchronisation.
#pragma once

#include <cuda_runtime_api.h>

#include <vector>

#include "backends/cuda/kernels/kernels.cuh"
#include "backends/cuda/kernels/ops_bridge.h"

namespace lite::backend::cuda {

#define EDGELITE_CUDA_DECLARE_LAUNCH(NAME) void launch(const kernels::NAME##Args& args, cudaStream_t stream);
EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_DECLARE_LAUNCH)
#undef EDGELITE_CUDA_DECLARE_LAUNCH

//! Conv2d through the kernel that fits it: the direct depthwise kernel when each group has one input channel,
//! the implicit GEMM otherwise.
void launch_conv2d(const kernels::Conv2dArgs& args, cudaStream_t stream);

//! Concat of `inputs` (device pointers, with their shapes) along `axis` into y: one copy per input.
void launch_concat(const std::vector<const void*>& inputs, const std::vector<std::vector<int64_t>>& shapes, int64_t axis,
                   int elem_size, void* y, cudaStream_t stream);

//! Throws lite::Error for a failed CUDA call: DeviceUnavailable when there is no usable device or driver, OutOfMemory
//! for allocations, Internal otherwise; the message names `what` (a kernel or a call) and cudaGetErrorString.
void check_cuda(cudaError_t status, const char* what);

}  // namespace lite::backend::cuda
