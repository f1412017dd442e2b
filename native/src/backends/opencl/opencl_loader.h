// The OpenCL entry points edgelite uses, resolved from the ICD loader at run time (dlopen), so that a binary
// built with OpenCL support still loads where no OpenCL runtime is installed.
#pragma once

#include <CL/cl.h>

namespace lite::backend::opencl {

#define EDGELITE_OPENCL_FUNCTIONS(X)                                                                          \
    X(clGetPlatformIDs) X(clGetDeviceIDs) X(clGetDeviceInfo) X(clCreateContext) X(clReleaseContext)           \
    X(clCreateCommandQueue) X(clReleaseCommandQueue) X(clCreateBuffer) X(clReleaseMemObject)                  \
    X(clEnqueueWriteBuffer) X(clEnqueueReadBuffer) X(clEnqueueCopyBuffer) X(clEnqueueFillBuffer) X(clFinish)  \
    X(clRetainContext) X(clCreateProgramWithSource) X(clCreateProgramWithBinary) X(clBuildProgram)             \
    X(clGetProgramInfo) X(clGetProgramBuildInfo) X(clReleaseProgram) X(clCreateKernel) X(clReleaseKernel)       \
    X(clSetKernelArg) X(clGetKernelWorkGroupInfo) X(clEnqueueNDRangeKernel) X(clEnqueueMarkerWithWaitList)      \
    X(clGetCommandQueueInfo) X(clWaitForEvents) X(clReleaseEvent) X(clEnqueueMapBuffer) X(clEnqueueUnmapMemObject)

struct Api {
#define EDGELITE_OPENCL_MEMBER(name) decltype(&::name) name = nullptr;
    EDGELITE_OPENCL_FUNCTIONS(EDGELITE_OPENCL_MEMBER)
#undef EDGELITE_OPENCL_MEMBER
};

//! The loaded API, or nullptr when libOpenCL.so.1 (or one of its functions) is missing. Loaded once.
const Api* api();

}  // namespace lite::backend::opencl
