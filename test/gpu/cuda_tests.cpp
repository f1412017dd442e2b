// The CUDA kernels on a GPU: the shared suite (test/native/cuda_kernel_suite.h) through the real launch functions,
// chains of launches queued asynchronously on streams, and kernels reading and writing mapped pinned memory from the
// backend's allocate_pinned_host. Without a CUDA device it prints "no CUDA device: skipped" and exits 0.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "backends/backend.h"
#include "backends/cuda/cuda_kernels.h"
#include "cuda_kernel_suite.h"
#include "lite/global.h"
#include "lite/network.h"

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

// A real model as a LITE_CUDA network: the node kernels of cuda_network.cpp through the device's launcher on the
// network's stream, against the same network on the CPU (the emulated run of this is
// test/native/cuda_network_emulated_test.cpp). Needs the onnxruntime references of test/fixtures/make-references.ts.
TEST(CudaNetworks, RealModelMatchesTheCpu) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(EDGELITE_SOURCE_DIR) / ".cache" / "references" / "blazeface-front-128";
    if (!fs::exists(dir / "outputs.txt")) GTEST_SKIP() << "no reference in " << dir << ": run `npx tsx test/fixtures/make-references.ts`";
    auto text = [](const fs::path& path) {
        std::ifstream file(path);
        std::stringstream content;
        content << file.rdbuf();
        return content.str();
    };
    std::ifstream input_file(dir / "input.bin", std::ios::binary | std::ios::ate);
    std::vector<float> input(static_cast<size_t>(input_file.tellg()) / sizeof(float));
    input_file.seekg(0);
    input_file.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size() * sizeof(float)));
    std::vector<size_t> shape;
    std::istringstream dims(text(dir / "input.shape"));
    for (size_t d; dims >> d;) shape.push_back(d);
    std::vector<std::string> outputs;
    std::istringstream names(text(dir / "outputs.txt"));
    for (std::string line; std::getline(names, line);) outputs.push_back(line);
    auto run = [&](LiteDeviceType device) {
        lite::Config config;
        config.device_type = device;
        auto network = std::make_shared<lite::Network>(config);
        network->load_model(text(dir / "model.path"));
        auto tensor = network->get_io_tensor(text(dir / "input.name"));
        tensor->set_layout(lite::Layout(shape, LITE_FLOAT));
        std::memcpy(tensor->get_memory_ptr(), input.data(), input.size() * sizeof(float));
        network->forward();
        network->wait();
        return network;
    };
    auto cpu = run(LITE_CPU);
    auto gpu = run(LITE_CUDA);
    for (const std::string& name : outputs) {
        auto got = gpu->get_io_tensor(name);
        auto want = cpu->get_io_tensor(name);
        ASSERT_EQ(got->get_layout().get_elem_count(), want->get_layout().get_elem_count());
        const auto* g = static_cast<const float*>(got->get_memory_ptr());
        const auto* w = static_cast<const float*>(want->get_memory_ptr());
        double diff = 0, ref = 0;
        for (size_t i = 0; i < want->get_layout().get_elem_count(); ++i) {
            diff += (double(g[i]) - w[i]) * (double(g[i]) - w[i]);
            ref += double(w[i]) * w[i];
        }
        EXPECT_LE(std::sqrt(diff) / std::max(std::sqrt(ref), 1e-30), 1e-4) << name;
    }
    const std::string summary = gpu->get_graph_summary();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(summary, match, std::regex("on cuda: (\\d+) nodes, on cpu: (\\d+) nodes"))) << summary;
    EXPECT_GT(std::stoi(match[1]), 3 * std::stoi(match[2])) << summary;
    // Integrated GPUs (Jetson) use the arena and IO in place: a forward copies nothing. Discrete ones copy (counted).
    lite::reset_copy_stats();
    gpu->forward();
    gpu->wait();
    const lite::CopyStats stats = lite::get_copy_stats();
    std::printf("blazeface-front-128 on CUDA: %s  copies per forward: %llu bytes to device, %llu to host\n",
                summary.substr(static_cast<size_t>(match.position(0))).c_str(), (unsigned long long)stats.host_to_device,
                (unsigned long long)stats.device_to_host);
    if (lite::backend::find_backend(LITE_CUDA)->host_unified_memory(0)) {
        EXPECT_EQ(stats.host_to_device + stats.device_to_host, 0u);
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
