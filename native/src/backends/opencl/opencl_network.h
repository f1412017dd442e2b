// Running networks on OpenCL: the per-network queue with its wrapped host memory (ClStream) and the node kernels
// that resolve a node's attributes and planned shapes into the launch functions of opencl_kernels.h.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "backends/opencl/opencl_loader.h"

namespace lite::backend::opencl {

std::unique_ptr<DeviceStream> make_stream(cl_context context, cl_device_id device);
//! nullptr when the launch functions do not cover the node (op, dtype, rank or attributes): it runs on the CPU.
std::unique_ptr<DeviceKernel> make_node_kernel(cl_context context, cl_device_id device, const NodeDesc& node);

}  // namespace lite::backend::opencl
