// Every CUDA kernel of edgelite, listed once: EDGELITE_CUDA_KERNELS(X) expands X(Name) for the kernel struct
// NameKernel and its arguments NameArgs; the launch functions (cuda_kernels.h), the host emulation (emulate.h) and
// the test runners are generated from it.
#pragma once

#include "backends/cuda/kernels/conv_direct.cuh"
#include "backends/cuda/kernels/elementwise.cuh"
#include "backends/cuda/kernels/gather.cuh"
#include "backends/cuda/kernels/gemm.cuh"
#include "backends/cuda/kernels/pool.cuh"
#include "backends/cuda/kernels/reduce.cuh"
#include "backends/cuda/kernels/resize.cuh"

#define EDGELITE_CUDA_KERNELS(X) \
    X(Conv2d)                    \
    X(DepthwiseConv2d)           \
    X(ConvTranspose2d)           \
    X(Gemm)                      \
    X(Unary)                     \
    X(Binary)                    \
    X(MaxPool2d)                 \
    X(AveragePool2d)             \
    X(GlobalAveragePool)         \
    X(Resize2d)                  \
    X(Softmax)                   \
    X(ReduceMean)                \
    X(Gather)                    \
    X(CopyRows)
