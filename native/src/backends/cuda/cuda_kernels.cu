// The __global__ wrappers of the kernels in kernels/*.cuh and their launch functions. A per-thread kernel's wrapper
// calls thread(args, its position); a tiled kernel's wrapper puts the Tile in __shared__ memory and runs the block
// program with DeviceThreads, whose each(fn) is fn for this thread followed by __syncthreads().
#include "backends/cuda/cuda_kernels.h"

#include <string>

#include "lite/error.h"

namespace lite::backend::cuda {
namespace {

__device__ kernels::GridPos device_pos() {
    kernels::GridPos at;
    at.block = {blockIdx.x, blockIdx.y, blockIdx.z};
    at.thread = {threadIdx.x, threadIdx.y, threadIdx.z};
    at.blocks = {gridDim.x, gridDim.y, gridDim.z};
    at.threads = {blockDim.x, blockDim.y, blockDim.z};
    return at;
}

template <typename State>
class DeviceThreads {
public:
    __device__ explicit DeviceThreads(const kernels::GridPos& at) : m_pos(at) {}
    __device__ const kernels::GridPos& pos() const { return m_pos; }
    template <typename Fn>
    __device__ void each(Fn&& fn) {
        fn(m_pos, m_state);
        __syncthreads();
    }

private:
    kernels::GridPos m_pos;
    State m_state;
};

template <typename K>
__global__ void thread_kernel(const typename K::Args args) {
    K::thread(args, device_pos());
}

template <typename K>
__global__ void __launch_bounds__(256) tiled_kernel(const typename K::Args args) {
    __shared__ typename K::Tile tile;
    DeviceThreads<typename K::State> threads(device_pos());
    K::block(args, tile, threads);
}

template <typename K>
void launch_kernel(const typename K::Args& args, cudaStream_t stream) {
    const kernels::LaunchShape l = K::launch(args);
    if (l.blocks() == 0) return;  // nothing to compute
    const dim3 grid(l.grid.x, l.grid.y, l.grid.z), block(l.block.x, l.block.y, l.block.z);
    if constexpr (K::kTiled) {
        tiled_kernel<K><<<grid, block, 0, stream>>>(args);
    } else {
        thread_kernel<K><<<grid, block, 0, stream>>>(args);
    }
    check_cuda(cudaGetLastError(), K::kName);
}

}  // namespace

void check_cuda(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear a non-sticky error so later calls do not report it again
    ErrorCode code = ErrorCode::Internal;
    std::string hint = "; this is a bug in edgelite, please report it";
    if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver || status == cudaErrorInitializationError ||
        status == cudaErrorNoKernelImageForDevice || status == cudaErrorUnsupportedPtxVersion) {
        code = ErrorCode::DeviceUnavailable;
        hint = "; check the driver (nvidia-smi) and that this build's CMAKE_CUDA_ARCHITECTURES include the GPU's";
    } else if (status == cudaErrorMemoryAllocation) {
        code = ErrorCode::OutOfMemory;
        hint = "";
    }
    throw Error(code, std::string("CUDA ") + what + " failed: " + cudaGetErrorString(status) + hint);
}

#define EDGELITE_CUDA_DEFINE_LAUNCH(NAME)                                    \
    void launch(const kernels::NAME##Args& args, cudaStream_t stream) {      \
        launch_kernel<kernels::NAME##Kernel>(args, stream);                  \
    }
EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_DEFINE_LAUNCH)
#undef EDGELITE_CUDA_DEFINE_LAUNCH

void launch_conv2d(const kernels::Conv2dArgs& args, cudaStream_t stream) {
    if (args.group > 0 && args.c == args.group) {
        launch(kernels::DepthwiseConv2dArgs{args}, stream);
    } else {
        launch(args, stream);
    }
}

void launch_concat(const std::vector<const void*>& inputs, const std::vector<std::vector<int64_t>>& shapes, int64_t axis,
                   int elem_size, void* y, cudaStream_t stream) {
    if (inputs.empty()) return;
    std::vector<kernels::CopyRowsArgs> copies = kernels::make_concat_args(shapes, axis, elem_size);
    for (size_t i = 0; i < inputs.size(); ++i) {
        copies[i].x = inputs[i];
        copies[i].y = y;
        launch(copies[i], stream);
    }
}

}  // namespace lite::backend::cuda
