// The C++ zero-copy example of MegEngine Lite's docs (shared/seeds/000_22e4f07ded29affc.txt), on edgelite's C++ API
// with a real model: inputs read from caller memory (reset), outputs written by the kernels straight into caller
// memory (force_output_use_user_specified_memory), no IO bytes copied, results equal to onnxruntime-node's (written by
// test/fixtures/make-references.ts into .cache/references before this suite runs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lite/error.h"
#include "lite/global.h"
#include "lite/network.h"
#include "reference_files.h"

namespace fs = std::filesystem;
using namespace lite;
using namespace lite::test;

namespace {

struct AlignedFree {
    void operator()(void* p) const { std::free(p); }
};

}  // namespace

TEST(SeedZeroCopy, OutputsLandInUserMemoryWithNoCopies) {
    fs::path dir = fs::path(EDGELITE_SOURCE_DIR) / ".cache" / "references" / "blazeface-front-128";
    if (!fs::exists(dir / "outputs.txt")) {
        GTEST_SKIP() << "no onnxruntime reference in " << dir << ": run `npx tsx test/fixtures/make-references.ts` "
                        "(npm test does)";
    }
    std::string model_path = read_text(dir / "model.path");
    std::string input_name = read_text(dir / "input.name");
    std::vector<float> input = read_floats(dir / "input.bin");
    std::vector<std::string> output_names;
    {
        std::istringstream names(read_text(dir / "outputs.txt"));
        for (std::string line; std::getline(names, line);) output_names.push_back(line);
    }

    // As in the seed: force outputs into user memory, reset input and outputs to malloc'd memory.
    Config config;
    config.options.force_output_use_user_specified_memory = true;
    std::shared_ptr<Network> network = std::make_shared<Network>(config);
    network->load_model(model_path);

    std::shared_ptr<Tensor> input_tensor = network->get_io_tensor(input_name);
    std::unique_ptr<void, AlignedFree> src_ptr(std::malloc(input_tensor->get_tensor_total_size_in_byte()));
    Layout src_layout = input_tensor->get_layout();
    ASSERT_EQ(src_layout.get_elem_count(), input.size());
    input_tensor->reset(src_ptr.get(), src_layout);
    std::memcpy(src_ptr.get(), input.data(), input.size() * sizeof(float));

    std::vector<std::unique_ptr<void, AlignedFree>> out_memory;
    for (const auto& name : output_names) {
        std::shared_ptr<Tensor> output_tensor = network->get_io_tensor(name);
        out_memory.emplace_back(std::malloc(output_tensor->get_tensor_total_size_in_byte()));
        output_tensor->reset(out_memory.back().get(), output_tensor->get_layout());
    }

    reset_copy_stats();
    for (int run = 0; run < 3; ++run) {
        network->forward();
        network->wait();
    }
    CopyStats stats = get_copy_stats();
    EXPECT_EQ(stats.host_to_host + stats.host_to_device + stats.device_to_host + stats.device_to_device, 0u);

    for (size_t i = 0; i < output_names.size(); ++i) {
        std::vector<float> want = read_floats(dir / ("output_" + std::to_string(i) + ".bin"));
        auto shape = read_shape(dir / ("output_" + std::to_string(i) + ".shape"));
        std::shared_ptr<Tensor> output_tensor = network->get_io_tensor(output_names[i]);
        EXPECT_EQ(output_tensor->get_memory_ptr(), out_memory[i].get()) << "output " << output_names[i] << " moved";
        EXPECT_EQ(output_tensor->get_layout().shape(), shape);
        EXPECT_LE(relative_l2(static_cast<const float*>(out_memory[i].get()), want), 1e-4) << output_names[i];
    }
    // Only network inputs and outputs can be fetched in this mode.
    try {
        network->get_io_tensor("StatefulPartitionedCall/functional_1/conv2d/BiasAdd");
        FAIL() << "an intermediate tensor was fetched";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
}
