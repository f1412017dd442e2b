// Device IO on OpenCL (PoCL here), as in the seed's device-IO example: OpenCL tensors are host-visible on
// unified-memory devices, copies between them and CPU tensors are counted by direction, and a network whose IO
// is configured with is_host false uses device tensors bound with share_memory_with in place: no copies.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
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

bool have_unified_opencl() {
    backend::Backend* backend = backend::find_backend(LITE_OPENCL);
    return backend && backend->device_count() > 0 && backend->host_unified_memory(0);
}

uint64_t total(const CopyStats& s) { return s.host_to_host + s.host_to_device + s.device_to_host + s.device_to_device; }

TEST(OpenClTensor, IsHostVisibleOnUnifiedMemoryAndCopiesAreCountedByDirection) {
    if (!have_unified_opencl()) GTEST_SKIP() << "no unified-memory OpenCL device (install pocl-opencl-icd)";
    const Layout layout({2, 3, 5}, LITE_FLOAT);
    const size_t bytes = layout.get_size_in_bytes();
    Tensor device(LITE_OPENCL, layout);
    ASSERT_TRUE(device.is_host_accessible());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(device.get_memory_ptr()) % 4096, 0u) << "not page-aligned";
    auto* values = static_cast<float*>(device.get_memory_ptr());
    for (int i = 0; i < 30; ++i) values[i] = float(i) * 0.5f;

    reset_copy_stats();
    Tensor host(LITE_CPU, layout);
    host.copy_from(device);
    EXPECT_EQ(get_copy_stats().device_to_host, bytes);
    EXPECT_EQ(static_cast<const float*>(host.get_memory_ptr())[29], 14.5f);

    static_cast<float*>(host.get_memory_ptr())[0] = -1.0f;
    Tensor second(LITE_OPENCL, layout);
    second.copy_from(host);
    EXPECT_EQ(get_copy_stats().host_to_device, bytes);
    Tensor third(LITE_OPENCL, layout);
    third.copy_from(second);
    EXPECT_EQ(get_copy_stats().device_to_device, bytes);
    EXPECT_EQ(get_copy_stats().host_to_host, 0u);
    EXPECT_EQ(static_cast<const float*>(third.get_memory_ptr())[0], -1.0f);
    third.fill_zero();
    EXPECT_EQ(static_cast<const float*>(third.get_memory_ptr())[29], 0.0f);

    // A CPU tensor cannot alias OpenCL memory: moving data between devices is copy_from.
    try {
        host.share_memory_with(device);
        FAIL() << "a CPU tensor shared OpenCL memory";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
}

// The seed's device-IO example on OpenCL: input and outputs configured as device IO, a device tensor written by
// the CPU in place (as a camera would) and bound with share_memory_with; three forwards copy nothing.
TEST(OpenClDeviceIO, SharedDeviceTensorsAreUsedInPlaceWithNoCopies) {
    if (!have_unified_opencl()) GTEST_SKIP() << "no unified-memory OpenCL device (install pocl-opencl-icd)";
    const Reference r = load_reference("blazeface-front-128");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference in " << r.dir;
    Config config(LITE_OPENCL);
    config.options.force_output_use_user_specified_memory = true;
    NetworkIO io;
    io.inputs.push_back(IO(r.input_name, false));
    for (const auto& name : r.outputs) io.outputs.push_back(IO(name, false));
    Network network(config, io);
    network.load_model(r.model);

    std::shared_ptr<Tensor> input = network.get_io_tensor(r.input_name);
    EXPECT_EQ(input->get_device_type(), LITE_OPENCL);
    Tensor frame(LITE_OPENCL, input->get_layout());
    ASSERT_EQ(frame.get_layout().get_elem_count(), r.input.size());
    std::memcpy(frame.get_memory_ptr(), r.input.data(), r.input.size() * sizeof(float));
    input->share_memory_with(frame);

    std::vector<std::unique_ptr<Tensor>> results;
    for (const auto& name : r.outputs) {
        std::shared_ptr<Tensor> output = network.get_io_tensor(name);
        EXPECT_EQ(output->get_device_type(), LITE_OPENCL) << name;
        results.push_back(std::make_unique<Tensor>(LITE_OPENCL, output->get_layout()));
        output->share_memory_with(*results.back());
    }

    reset_copy_stats();
    for (int run = 0; run < 3; ++run) {
        network.forward();
        network.wait();
    }
    EXPECT_EQ(total(get_copy_stats()), 0u);

    for (size_t i = 0; i < r.outputs.size(); ++i) {
        std::vector<float> want = read_floats(r.dir / ("output_" + std::to_string(i) + ".bin"));
        std::shared_ptr<Tensor> output = network.get_io_tensor(r.outputs[i]);
        EXPECT_EQ(output->get_storage_id(), results[i]->get_storage_id()) << r.outputs[i] << " moved";
        ASSERT_EQ(results[i]->get_layout().get_elem_count(), want.size());
        EXPECT_LE(relative_l2(static_cast<const float*>(results[i]->get_memory_ptr()), want), 1e-4) << r.outputs[i];
    }

    // A new frame written in place is what the next forward sees.
    std::memset(frame.get_memory_ptr(), 0, frame.get_tensor_total_size_in_byte());
    network.forward();
    network.wait();
    EXPECT_EQ(total(get_copy_stats()), 0u);
    std::vector<float> want = read_floats(r.dir / "output_0.bin");
    EXPECT_GT(relative_l2(static_cast<const float*>(results[0]->get_memory_ptr()), want), 1e-3) << "the new frame was not used";
}

// Without sharing, the network's own device IO tensors are used: results are read in place from OpenCL memory.
TEST(OpenClDeviceIO, OwnDeviceTensorsMatchTheCpu) {
    if (!have_unified_opencl()) GTEST_SKIP() << "no unified-memory OpenCL device (install pocl-opencl-icd)";
    const Reference r = load_reference("blazeface-front-128");
    if (r.model.empty()) GTEST_SKIP() << "no onnxruntime reference in " << r.dir;
    NetworkIO io;
    io.inputs.push_back(IO(r.input_name, false));
    io.outputs.push_back(IO(r.outputs[0], false));
    Network network(Config(LITE_OPENCL), io);
    network.load_model(r.model);
    std::shared_ptr<Tensor> input = network.get_io_tensor(r.input_name);
    std::memcpy(input->get_memory_ptr(), r.input.data(), r.input.size() * sizeof(float));
    reset_copy_stats();
    network.forward();
    network.wait();
    EXPECT_EQ(total(get_copy_stats()), 0u);
    std::shared_ptr<Tensor> output = network.get_io_tensor(r.outputs[0]);
    EXPECT_EQ(output->get_device_type(), LITE_OPENCL);
    EXPECT_LE(relative_l2(static_cast<const float*>(output->get_memory_ptr()), read_floats(r.dir / "output_0.bin")), 1e-4);

    // On the CPU, device IO is served from host memory.
    Network cpu(Config(LITE_CPU), io);
    cpu.load_model(r.model);
    EXPECT_EQ(cpu.get_io_tensor(r.input_name)->get_device_type(), LITE_CPU);
}

}  // namespace
