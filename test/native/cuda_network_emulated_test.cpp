// CUDA networks without a GPU: the real models run with LITE_CUDA while the test hook of cuda_network.h puts the
// host emulator behind the CUDA backend, so the node mapping (cuda_network.cpp), the kernels' own code (run by
// kernels/emulate.h over the grids the launch functions configure) and the executor's placement and hand-overs are
// what computes the results; they must match onnxruntime and the CPU network. test/gpu/cuda_tests.cpp runs a real
// model through the device's launcher. Without the hook, a machine without a GPU gives DEVICE_UNAVAILABLE.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "backends/backend.h"
#include "lite/error.h"
#include "lite/global.h"
#include "lite/network.h"
#include "reference_files.h"
#ifdef EDGELITE_WITH_CUDA
#include "backends/cuda/cuda_network.h"
#include "backends/cuda/kernels/emulate.h"
#endif

namespace fs = std::filesystem;
using namespace lite;
using namespace lite::test;

namespace {

#ifdef EDGELITE_WITH_CUDA
//! The emulated CUDA device for one test's scope.
struct EmulatedCuda {
    EmulatedCuda() { backend::cuda::testing::set_emulated_device(true); }
    ~EmulatedCuda() { backend::cuda::testing::set_emulated_device(false); }
};

class EmulatedCudaNetwork : public ::testing::TestWithParam<const char*> {};

TEST_P(EmulatedCudaNetwork, MatchesOnnxRuntimeAndTheCpu) {
    const Reference r = load_reference(GetParam());
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference in " << r.dir << ": run `npx tsx test/fixtures/make-references.ts`";
    auto cpu = run_reference(r, LITE_CPU);
    EmulatedCuda emulated;
    reset_copy_stats();
    const int64_t launches_before = backend::cuda::kernels::emulation_stats().launches;
    const auto start = std::chrono::steady_clock::now();
    auto device = run_reference(r, LITE_CUDA);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (size_t i = 0; i < r.outputs.size(); ++i) {
        const std::vector<float> want = read_floats(r.dir / ("output_" + std::to_string(i) + ".bin"));
        auto got = device->get_io_tensor(r.outputs[i]);
        auto on_cpu = cpu->get_io_tensor(r.outputs[i]);
        ASSERT_EQ(got->get_layout().shape(), read_shape(r.dir / ("output_" + std::to_string(i) + ".shape")));
        ASSERT_EQ(got->get_layout().get_elem_count(), want.size());
        const auto* values = static_cast<const float*>(got->get_memory_ptr());
        EXPECT_LE(relative_l2(values, want.data(), want.size()), 1e-4) << r.outputs[i] << " vs onnxruntime";
        EXPECT_LE(relative_l2(values, static_cast<const float*>(on_cpu->get_memory_ptr()), want.size()), 1e-4)
                << r.outputs[i] << " vs the CPU";
    }
    // "on cuda: N nodes, on cpu: M nodes (fallback: ...)": most nodes on the (emulated) device.
    const std::string summary = device->get_graph_summary();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(summary, match, std::regex("on cuda: (\\d+) nodes, on cpu: (\\d+) nodes"))) << summary;
    const int on_device = std::stoi(match[1]), on_cpu = std::stoi(match[2]);
    std::printf("%s (emulated CUDA, load + forward %.2f s): %s\n", GetParam(), seconds,
                summary.substr(static_cast<size_t>(match.position(0))).c_str());
    EXPECT_GT(on_device, 3 * on_cpu) << summary;
    // Every device node launched at least one kernel through the emulator.
    EXPECT_GE(backend::cuda::kernels::emulation_stats().launches - launches_before, on_device);
    // The weights were uploaded once, at load; the emulated device shares the host's memory, so a forward copies nothing.
    EXPECT_GT(get_copy_stats().host_to_device, 0u);
    reset_copy_stats();
    device->forward();
    device->wait();
    const CopyStats stats = get_copy_stats();
    EXPECT_EQ(stats.host_to_host + stats.host_to_device + stats.device_to_host + stats.device_to_device, 0u);
}

INSTANTIATE_TEST_SUITE_P(RealModels, EmulatedCudaNetwork, ::testing::Values("blazeface-front-128", "ppocr-cls"));

// Device IO on the emulated device: an input tensor of the network's device (LiteIO is_host false) is used in place.
TEST(EmulatedCudaNetworkIo, DeviceInputIsUsedInPlace) {
    const Reference r = load_reference("ppocr-cls");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference";
    auto cpu = run_reference(r, LITE_CPU);
    EmulatedCuda emulated;
    Config config;
    config.device_type = LITE_CUDA;
    NetworkIO io;
    IO input_io;
    input_io.name = r.input_name;
    input_io.is_host = false;
    io.inputs.push_back(input_io);
    Network network(config, io);
    network.load_model(r.model);
    auto input = network.get_io_tensor(r.input_name);
    EXPECT_EQ(input->get_device_type(), LITE_CUDA);
    input->set_layout(Layout(r.input_shape, LITE_FLOAT));
    std::memcpy(input->get_memory_ptr(), r.input.data(), r.input.size() * sizeof(float));
    network.forward();
    network.wait();
    auto got = network.get_io_tensor(r.outputs[0]);
    auto want = cpu->get_io_tensor(r.outputs[0]);
    EXPECT_LE(relative_l2(static_cast<const float*>(got->get_memory_ptr()), static_cast<const float*>(want->get_memory_ptr()),
                          want->get_layout().get_elem_count()),
              1e-4);
}

// The public description goes through the backend, so the test hook answers for it too (`edgelite info --device cuda`).
TEST(EmulatedCudaNetworkIo, DeviceDescriptionIsTheBackends) {
    EmulatedCuda emulated;
    EXPECT_EQ(get_device_description(LITE_CUDA), "CUDA kernels emulated on the host (test hook)");
    EXPECT_EQ(get_device_count(LITE_CUDA), 1u);
}

// A host input bound to pinned memory (what the pipeline's source pool hands a CUDA network's host input, see
// deviceFrameAllocator): the network reads the pinned tensor itself, with no copy, and computes what the CPU does.
TEST(EmulatedCudaNetworkIo, PinnedHostInputIsBoundNotCopied) {
    const Reference r = load_reference("ppocr-cls");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference";
    auto cpu = run_reference(r, LITE_CPU);
    EmulatedCuda emulated;
    Config config;
    config.device_type = LITE_CUDA;
    Network network(config);
    network.load_model(r.model);
    Tensor pinned(LITE_CPU, Layout(r.input_shape, LITE_FLOAT), true);
    std::memcpy(pinned.get_memory_ptr(), r.input.data(), r.input.size() * sizeof(float));
    auto input = network.get_io_tensor(r.input_name);
    EXPECT_EQ(input->get_device_type(), LITE_CPU);
    input->share_memory_with(pinned);
    EXPECT_TRUE(input->is_pinned_host());
    EXPECT_EQ(input->get_memory_ptr(), pinned.get_memory_ptr());
    network.forward();  // plans the input's layout
    network.wait();
    reset_copy_stats();
    network.forward();
    network.wait();
    const CopyStats stats = get_copy_stats();
    EXPECT_EQ(stats.host_to_host + stats.host_to_device + stats.device_to_host + stats.device_to_device, 0u);
    EXPECT_EQ(input->get_memory_ptr(), pinned.get_memory_ptr());
    auto got = network.get_io_tensor(r.outputs[0]);
    auto want = cpu->get_io_tensor(r.outputs[0]);
    EXPECT_LE(relative_l2(static_cast<const float*>(got->get_memory_ptr()), static_cast<const float*>(want->get_memory_ptr()),
                          want->get_layout().get_elem_count()),
              1e-4);
}
#endif

// Without a CUDA device (this machine) or without the backend (a CPU-only build), a CUDA network is refused at
// load with DEVICE_UNAVAILABLE and a message that says what to check.
TEST(CudaNetworkLoad, NoDeviceIsDeviceUnavailable) {
    backend::Backend* cuda = backend::find_backend(LITE_CUDA);
    if (cuda && cuda->device_count() > 0) GTEST_SKIP() << "this machine has a CUDA device";
    const Reference r = load_reference("blazeface-front-128");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference";
    Config config;
    config.device_type = LITE_CUDA;
    Network network(config);
    try {
        network.load_model(r.model);
        FAIL() << "a CUDA network loaded without a CUDA device";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceUnavailable);
        const std::string message = e.what();
        EXPECT_NE(message.find("nvidia-smi"), std::string::npos) << message;
        EXPECT_NE(message.find("JetPack"), std::string::npos) << message;
    }
}

}  // namespace
