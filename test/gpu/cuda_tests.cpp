// The CUDA kernels on a GPU: the shared suite (test/native/cuda_kernel_suite.h) through the real launch functions,
// chains of launches queued asynchronously on streams, and kernels reading and writing mapped pinned memory from the
// backend's allocate_pinned_host. Without a CUDA device it prints "no CUDA device: skipped" and exits 0.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_kernels.h"
#include "cuda_kernel_suite.h"

namespace {

namespace cu = lite::backend::cuda;
namespace k = lite::backend::cuda::kernels;
using lite::test::HostRunner;

void ok(cudaError_t status, const char* what) { cu::check_cuda(status, what); }

//! Device memory and launches on one stream of its own; download() waits for the stream.
class CudaRunner final : public lite::test::KernelRunner {
public:
    CudaRunner() { ok(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), "cudaStreamCreate"); }
    ~CudaRunner() override {
        reset();
        cudaStreamDestroy(m_stream);
    }
    void* upload(const void* data, size_t bytes) override {
        void* p = alloc(bytes);
        if (bytes) ok(cudaMemcpyAsync(p, data, bytes, cudaMemcpyHostToDevice, m_stream), "cudaMemcpyAsync to device");
        return p;
    }
    void* alloc(size_t bytes) override {
        void* p = nullptr;
        ok(cudaMalloc(&p, bytes + 1), "cudaMalloc");
        m_buffers.push_back(p);
        ok(cudaMemsetAsync(p, 0xff, bytes + 1, m_stream), "cudaMemsetAsync");
        return p;
    }
    void download(void* dst, const void* src, size_t bytes) override {
        if (bytes) ok(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, m_stream), "cudaMemcpyAsync to host");
        ok(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize");
    }
    void reset() override {
        cudaStreamSynchronize(m_stream);
        for (void* p : m_buffers) cudaFree(p);
        m_buffers.clear();
    }
#define EDGELITE_CUDA_RUN(NAME) \
    void run(const k::NAME##Args& args) override { cu::launch(args, m_stream); }
    EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_RUN)
#undef EDGELITE_CUDA_RUN
    cudaStream_t stream() const { return m_stream; }

private:
    cudaStream_t m_stream = nullptr;
    std::vector<void*> m_buffers;
};

}  // namespace

EDGELITE_CUDA_KERNEL_SUITE(CudaKernels, std::make_unique<CudaRunner>(), 1)

// Two streams, each with a chain of dependent launches queued without waiting (conv, then elementwise and softmax
// on its output), copies in and out of pinned memory queued on the same stream: each stream's result must equal the
// host harness running the same chain.
TEST(CudaKernels, ChainsQueuedOnStreams) {
    lite::test::Rng rng(404);
    const int n = 2, c = 8, h = 33, w = 47, m = 24;
    struct Lane {
        CudaRunner runner;
        std::vector<float> x, weights, result;
        float* pinned = nullptr;
    };
    Lane lanes[2];
    auto chain = [&](lite::test::KernelRunner& r, const std::vector<float>& x, const std::vector<float>& weights, float* pinned_in,
                     float* pinned_out) {
        const size_t x_bytes = x.size() * sizeof(float);
        float* dx = nullptr;
        if (pinned_in) {  // the copy in, queued on the stream from pinned memory
            auto& cr = static_cast<CudaRunner&>(r);
            dx = static_cast<float*>(r.alloc(x_bytes));
            std::memcpy(pinned_in, x.data(), x_bytes);
            ok(cudaMemcpyAsync(dx, pinned_in, x_bytes, cudaMemcpyHostToDevice, cr.stream()), "cudaMemcpyAsync");
        } else {
            dx = static_cast<float*>(r.upload(x.data(), x_bytes));
        }
        k::Conv2dArgs conv;
        conv.x = dx;
        conv.w = static_cast<const float*>(r.upload(weights.data(), weights.size() * sizeof(float)));
        conv.n = n, conv.c = c, conv.h = h, conv.w_in = w, conv.m = m, conv.kh = conv.kw = 3, conv.oh = h, conv.ow = w;
        conv.pad_h = conv.pad_w = 1;
        conv.act.kind = k::Act::Relu;
        const int64_t out = int64_t(n) * m * h * w;
        conv.y = r.out_floats(out);
        r.run(conv);
        for (int i = 0; i < 20; ++i) {
            k::UnaryArgs u;
            u.x = u.y = conv.y;
            u.n = out;
            u.act.kind = k::Act::Tanh;
            u.act.scale = 1.5f;
            r.run(u);
        }
        k::SoftmaxArgs s;
        s.x = s.y = conv.y;
        s.rows = out / w, s.cols = w;
        r.run(s);
        if (pinned_out) {
            auto& cr = static_cast<CudaRunner&>(r);
            ok(cudaMemcpyAsync(pinned_out, conv.y, size_t(out) * sizeof(float), cudaMemcpyDeviceToHost, cr.stream()), "cudaMemcpyAsync");
            return std::vector<float>();
        }
        return r.down(conv.y, out);
    };
    const int64_t out = int64_t(n) * m * h * w;
    for (Lane& lane : lanes) {
        lane.x = rng.floats(int64_t(n) * c * h * w);
        lane.weights = rng.floats(int64_t(m) * c * 9, -0.2f, 0.2f);
        ok(cudaMallocHost(reinterpret_cast<void**>(&lane.pinned), size_t(std::max<int64_t>(out, int64_t(lane.x.size()))) * sizeof(float) * 2), "cudaMallocHost");
    }
    for (Lane& lane : lanes) chain(lane.runner, lane.x, lane.weights, lane.pinned, lane.pinned + out);  // queued, not waited for
    for (Lane& lane : lanes) {
        ok(cudaStreamSynchronize(lane.runner.stream()), "cudaStreamSynchronize");
        lane.result.assign(lane.pinned + out, lane.pinned + 2 * out);
        HostRunner host;
        const std::vector<float> want = chain(host, lane.x, lane.weights, nullptr, nullptr);
        EXPECT_EQ(lite::test::compare_floats(want, lane.result, c * 9, 4.f), "");
        cudaFreeHost(lane.pinned);
    }
}

// Kernels on mapped pinned memory (what Jetson's shared memory gives the CPU and the GPU alike): the backend's
// allocate_pinned_host, its device address from cudaHostGetDevicePointer, a launch that reads and writes it in place.
TEST(CudaKernels, MappedPinnedMemory) {
    lite::backend::Backend* backend = lite::backend::find_backend(LITE_CUDA);
    ASSERT_TRUE(backend);
    ASSERT_GT(backend->device_count(), 0);
    const int64_t count = 100003;
    lite::backend::Allocation pinned = backend->allocate_pinned_host(size_t(count) * sizeof(float));
    ASSERT_TRUE(pinned.host) << "allocate_pinned_host gave no memory";
    float* host = static_cast<float*>(pinned.host);
    for (int64_t i = 0; i < count; ++i) host[i] = float(i % 97) - 48.f;
    void* device = nullptr;
    ok(cudaHostGetDevicePointer(&device, pinned.host, 0), "cudaHostGetDevicePointer");
    cudaStream_t stream = nullptr;
    ok(cudaStreamCreate(&stream), "cudaStreamCreate");
    k::UnaryArgs u;
    u.x = u.y = static_cast<float*>(device);
    u.n = count;
    u.act.kind = k::Act::Clip, u.act.min = -10.f, u.act.max = 20.f, u.act.scale = 2.f, u.act.shift = 1.f;
    cu::launch(u, stream);
    ok(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    for (int64_t i = 0; i < count; ++i) {
        const float x = float(i % 97) - 48.f, want = (x < -10.f ? -10.f : (x > 20.f ? 20.f : x)) * 2.f + 1.f;
        ASSERT_EQ(host[i], want) << "element " << i;
    }
    cudaStreamDestroy(stream);
    backend->deallocate(0, pinned, true);
}

// A launch error names the kernel and carries the CUDA error string; no device is DEVICE_UNAVAILABLE.
TEST(CudaKernels, ErrorsNameTheCall) {
    try {
        cu::check_cuda(cudaErrorInvalidConfiguration, "gemm");
        FAIL() << "no error thrown";
    } catch (const lite::Error& e) {
        EXPECT_EQ(e.code(), lite::ErrorCode::Internal);
        EXPECT_NE(std::string(e.what()).find("CUDA gemm failed"), std::string::npos) << e.what();
    }
    try {
        cu::check_cuda(cudaErrorNoDevice, "conv2d");
        FAIL() << "no error thrown";
    } catch (const lite::Error& e) {
        EXPECT_EQ(e.code(), lite::ErrorCode::DeviceUnavailable);
    }
}

int main(int argc, char** argv) {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess || count == 0) {
        std::printf("no CUDA device: skipped (%s)\n", status != cudaSuccess ? cudaGetErrorString(status) : "0 devices");
        return 0;
    }
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::printf("CUDA device 0: %s (compute %d.%d)\n", prop.name, prop.major, prop.minor);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
