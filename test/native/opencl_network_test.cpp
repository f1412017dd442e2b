// Networks on OpenCL (PoCL here): the real models with onnxruntime references in .cache/references (written by
// test/fixtures/make-references.ts) loaded with LITE_OPENCL, compared with onnxruntime and with the same network
// on the CPU; most nodes must run on the device, and a forward on a unified-memory device copies nothing.
// test/e2e/opencl-models.test.ts runs all five real models the same way from TypeScript.
#include <gtest/gtest.h>

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

namespace fs = std::filesystem;
using namespace lite;
using namespace lite::test;

namespace {

bool have_opencl() {
    backend::Backend* backend = backend::find_backend(LITE_OPENCL);
    return backend && backend->device_count() > 0;
}

class OpenClNetwork : public ::testing::TestWithParam<const char*> {};

TEST_P(OpenClNetwork, MatchesOnnxRuntimeAndTheCpu) {
    if (!have_opencl()) GTEST_SKIP() << "no OpenCL device (install pocl-opencl-icd)";
    const Reference r = load_reference(GetParam());
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference in " << r.dir << ": run `npx tsx test/fixtures/make-references.ts`";
    auto cpu = run_reference(r, LITE_CPU);
    auto device = run_reference(r, LITE_OPENCL);
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
    // "on opencl: N nodes, on cpu: M nodes (fallback: ...)": most nodes on the device.
    const std::string summary = device->get_graph_summary();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(summary, match, std::regex("on opencl: (\\d+) nodes, on cpu: (\\d+) nodes"))) << summary;
    const int on_device = std::stoi(match[1]), on_cpu = std::stoi(match[2]);
    std::printf("%s: %s\n", GetParam(), summary.substr(static_cast<size_t>(match.position(0))).c_str());
    EXPECT_GT(on_device, 3 * on_cpu) << summary;
    // The CPU network's summary has no placement line.
    EXPECT_EQ(cpu->get_graph_summary().find("on opencl"), std::string::npos);

    // On a unified-memory device a forward copies nothing: the arena and the IO tensors are wrapped, not copied.
    if (backend::find_backend(LITE_OPENCL)->host_unified_memory(0)) {
        reset_copy_stats();
        device->forward();
        device->wait();
        const CopyStats stats = get_copy_stats();
        EXPECT_EQ(stats.host_to_host + stats.host_to_device + stats.device_to_host + stats.device_to_device, 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(RealModels, OpenClNetwork, ::testing::Values("blazeface-front-128", "ppocr-cls"));

TEST(OpenClNetworkLoad, WeightsAreUploadedOnceAtLoad) {
    if (!have_opencl()) GTEST_SKIP() << "no OpenCL device (install pocl-opencl-icd)";
    const Reference r = load_reference("blazeface-front-128");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference";
    reset_copy_stats();
    Config config;
    config.device_type = LITE_OPENCL;
    Network network(config);
    network.load_model(r.model);
    const CopyStats stats = get_copy_stats();
    // The device kernels' constants (the weights of the Convs): at most the model's weights, at least most of them.
    const MemoryPlanInfo info = network.get_static_memory_alloc_info();
    EXPECT_GT(stats.host_to_device, info.weight_bytes / 2);
    EXPECT_LE(stats.host_to_device, info.weight_bytes);
}

// CUDA networks without a device: test/native/cuda_network_emulated_test.cpp.

}  // namespace
