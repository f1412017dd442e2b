// Conformance: ONNX's own backend node tests (Debian libonnx-testdata, /usr/share/libonnx-testdata/data/node).
// Eligible: every case whose ops are all in fixtures/onnx-ops.txt (the ops edgelite promises) and whose tensors use
// dtypes edgelite runs. All eligible cases must pass, except those in fixtures/node_test_exclusions.txt (each
// with its reason). Environment: EDGELITE_NODE_FILTER=<substring> runs matching cases only, verbosely.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#ifdef EDGELITE_WITH_CUDA
#include "backends/cuda/cuda_network.h"
#endif
#include "core/onnx/onnx_model.h"
#include "lite/error.h"
#include "lite/global.h"
#include "lite/network.h"
#include "ops/op.h"

namespace fs = std::filesystem;
using namespace lite;

namespace {

std::vector<uint8_t> read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

std::set<std::string> read_op_list(const fs::path& path) {
    std::ifstream file(path);
    std::set<std::string> ops;
    std::string token;
    while (std::getline(file, token, ',')) {
        token.erase(0, token.find_first_not_of(" \r\n\t"));
        token.erase(token.find_last_not_of(" \r\n\t") + 1);
        if (!token.empty()) ops.insert(token);
    }
    return ops;
}

std::map<std::string, std::string> read_exclusions(const fs::path& path) {
    std::ifstream file(path);
    std::map<std::string, std::string> exclusions;
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.find(' ');
        exclusions[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
    }
    return exclusions;
}

struct Case {
    std::string name;
    fs::path dir;
};

// Why a case is not eligible, or "" when it is.
std::string ineligible(const onnx::ModelData& model, const std::set<std::string>& promised) {
    for (const auto& node : model.graph.nodes) {
        if (!promised.count(node.op_type)) return "op " + node.op_type + " is not in onnx-ops.txt";
        if (!node.domain.empty() && node.domain != "ai.onnx") return "domain " + node.domain;
    }
    LiteDataType dtype;
    for (const auto& list : {model.graph.inputs, model.graph.outputs}) {
        for (const auto& info : list) {
            if (!onnx::to_lite_dtype(info.onnx_type, dtype)) return std::string("dtype ") + onnx::onnx_type_name(info.onnx_type);
        }
    }
    for (const auto& init : model.graph.initializers) {
        if (!onnx::to_lite_dtype(init->onnx_type, dtype)) return std::string("dtype ") + onnx::onnx_type_name(init->onnx_type);
    }
    auto opset = model.opsets.find("");
    if (opset == model.opsets.end() || opset->second < 7 || opset->second > 18) return "opset outside 7..18";
    return "";
}

// Compares one output; returns "" or a description of the first mismatch.
std::string compare(const onnx::TensorData& expected, const Tensor& actual) {
    LiteDataType dtype;
    onnx::to_lite_dtype(expected.onnx_type, dtype);
    Layout layout = actual.get_layout();
    std::vector<int64_t> actual_shape(layout.shapes, layout.shapes + layout.ndim);
    int64_t count = ops::numel(expected.dims);
    bool shape_ok = actual_shape == expected.dims ||
                    (expected.dims.empty() && actual_shape == std::vector<int64_t>{1});
    if (!shape_ok) return "shape " + ops::shape_str(actual_shape) + ", expected " + ops::shape_str(expected.dims);
    if (layout.data_type != dtype) {
        return std::string("dtype ") + dtype_name(layout.data_type) + ", expected " + dtype_name(dtype);
    }
    std::vector<uint8_t> bytes(actual.get_tensor_total_size_in_byte());
    actual.copy_to_host(bytes.data(), bytes.size());
    // The expected bytes point into the protobuf file at any alignment: copy them into aligned memory first.
    std::string_view raw = expected.data();
    std::vector<uint64_t> want_storage((raw.size() + 7) / 8);
    if (!raw.empty()) std::memcpy(want_storage.data(), raw.data(), raw.size());
    std::string_view want(reinterpret_cast<const char*>(want_storage.data()), raw.size());
    ops::TensorView got_view{bytes.data(), dtype, expected.dims};
    ops::TensorView want_view{const_cast<char*>(want.data()), dtype, expected.dims};
    if (dtype == LITE_FLOAT || dtype == LITE_HALF) {
        auto got = ops::read_floats(got_view), exp = ops::read_floats(want_view);
        for (int64_t i = 0; i < count; ++i) {
            float g = got[static_cast<size_t>(i)], e = exp[static_cast<size_t>(i)];
            if (std::isnan(e) && std::isnan(g)) continue;
            if (std::isinf(e) && g == e) continue;
            // numpy.testing.assert_allclose(rtol=1e-3, atol=1e-7), ONNX's backend test default; float16 looser.
            double tolerance = dtype == LITE_HALF ? 1e-3 + 1e-2 * std::fabs(e) : 1e-7 + 1e-3 * std::fabs(e);
            if (!(std::fabs(g - e) <= tolerance)) {
                return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " + std::to_string(e);
            }
        }
        return "";
    }
    if (bytes.size() != want.size() || (!bytes.empty() && std::memcmp(bytes.data(), want.data(), bytes.size()) != 0)) {
        auto got = ops::read_ints(got_view), exp = ops::read_ints(want_view);
        for (size_t i = 0; i < got.size() && i < exp.size(); ++i) {
            if (got[i] != exp[i]) return "element " + std::to_string(i) + " is " + std::to_string(got[i]) + ", expected " + std::to_string(exp[i]);
        }
        return "bytes differ";
    }
    return "";
}

// Runs one case on `device`; returns "" on success or why it failed. `device_nodes`, when given, receives how many
// nodes ran on a device other than the CPU (the graph summary's placement line).
std::string run_case(const Case& test_case, LiteDeviceType device = LITE_CPU, int* device_nodes = nullptr) {
    try {
        auto model_bytes = read_file(test_case.dir / "model.onnx");
        Config config;
        config.device_type = device;
        Network network(config);
        network.load_model(model_bytes.data(), model_bytes.size());
        for (const auto& data_dir : fs::directory_iterator(test_case.dir)) {
            if (!data_dir.is_directory()) continue;
            auto input_names = network.get_all_input_name();
            for (size_t i = 0;; ++i) {
                fs::path file = data_dir.path() / ("input_" + std::to_string(i) + ".pb");
                if (!fs::exists(file)) break;
                if (i >= input_names.size()) return "more input files than model inputs";
                auto bytes = read_file(file);
                onnx::TensorData tensor = onnx::parse_tensor(bytes.data(), bytes.size());
                LiteDataType dtype;
                if (!onnx::to_lite_dtype(tensor.onnx_type, dtype)) return "input dtype not supported";
                std::vector<size_t> dims(tensor.dims.begin(), tensor.dims.end());
                if (dims.empty()) dims.push_back(1);
                Tensor source(LITE_CPU, Layout(dims, dtype));
                std::string_view data = tensor.data();
                if (!data.empty()) std::memcpy(source.get_memory_ptr(), data.data(), data.size());
                network.get_io_tensor(input_names[i], LITE_INPUT)->copy_from(source);
            }
            network.forward();
            network.wait();
            if (device_nodes && device != LITE_CPU) {
                const std::string summary = network.get_graph_summary();
                const std::string key = std::string("on ") + (device == LITE_CUDA ? "cuda" : "opencl") + ": ";
                const size_t at = summary.find(key);
                *device_nodes = at == std::string::npos ? 0 : std::atoi(summary.c_str() + at + key.size());
            }
            for (size_t i = 0;; ++i) {
                fs::path file = data_dir.path() / ("output_" + std::to_string(i) + ".pb");
                if (!fs::exists(file)) break;
                auto bytes = read_file(file);
                onnx::TensorData expected = onnx::parse_tensor(bytes.data(), bytes.size());
                std::string why = compare(expected, *network.get_output_tensor(i));
                if (!why.empty()) return data_dir.path().filename().string() + " output " + std::to_string(i) + ": " + why;
            }
        }
        return "";
    } catch (const Error& e) {
        return std::string(e.code_name()) + ": " + e.what();
    } catch (const std::exception& e) {
        return std::string("exception: ") + e.what();
    }
}

}  // namespace

TEST(OnnxNodeTests, AllEligibleCasesPass) {
    const char* dir_env = std::getenv("EDGELITE_ONNX_NODE_DIR");
    fs::path root = dir_env ? dir_env : "/usr/share/libonnx-testdata/data/node";
    if (!fs::exists(root)) GTEST_SKIP() << root << " is missing: install Debian's libonnx-testdata (scripts/bootstrap.sh does)";
    fs::path fixtures = fs::path(EDGELITE_TEST_FIXTURES);
    auto promised = read_op_list(fixtures / "onnx-ops.txt");
    auto exclusions = read_exclusions(fixtures / "node_test_exclusions.txt");
    const char* filter = std::getenv("EDGELITE_NODE_FILTER");

    std::vector<Case> cases;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (entry.is_directory()) cases.push_back({entry.path().filename().string(), entry.path()});
    }
    std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
    int eligible = 0, passed = 0, excluded = 0, skipped = 0;
    std::map<std::string, int> skip_reasons;
    for (const auto& test_case : cases) {
        if (filter && test_case.name.find(filter) == std::string::npos) continue;
        auto bytes = read_file(test_case.dir / "model.onnx");
        std::string why_not;
        try {
            why_not = ineligible(onnx::parse_model(bytes.data(), bytes.size()), promised);
        } catch (const Error& e) {
            why_not = std::string("unparsable: ") + e.what();
        }
        if (!why_not.empty()) {
            ++skipped;
            skip_reasons[why_not.substr(0, why_not.find(' ', 3))]++;
            if (filter) std::cout << "  not eligible " << test_case.name << ": " << why_not << "\n";
            continue;
        }
        ++eligible;
        if (exclusions.count(test_case.name)) {
            ++excluded;
            continue;
        }
        std::string failure = run_case(test_case);
        if (failure.empty()) {
            ++passed;
            if (filter) std::cout << "  pass " << test_case.name << "\n";
        } else {
            ADD_FAILURE() << test_case.name << ": " << failure;
        }
    }
    std::cout << "ONNX node tests: " << cases.size() << " cases, " << eligible << " eligible, " << passed << " passed, "
              << eligible - passed - excluded << " failed, " << excluded << " excluded (with reasons), " << skipped
              << " not eligible\n";
}

// The same cases with the network on OpenCL (PoCL in the test run): nodes with an OpenCL kernel run there, the
// others on the CPU; every eligible case must still pass, and the cases of the ops the OpenCL backend covers must
// actually have run nodes on it.
// Every eligible case with the network on `device`; returns how many cases ran nodes there.
int run_eligible_cases_on(LiteDeviceType device, const char* label) {
    const char* dir_env = std::getenv("EDGELITE_ONNX_NODE_DIR");
    fs::path root = dir_env ? dir_env : "/usr/share/libonnx-testdata/data/node";
    fs::path fixtures = fs::path(EDGELITE_TEST_FIXTURES);
    auto promised = read_op_list(fixtures / "onnx-ops.txt");
    auto exclusions = read_exclusions(fixtures / "node_test_exclusions.txt");
    const char* filter = std::getenv("EDGELITE_NODE_FILTER");
    int eligible = 0, passed = 0, on_device = 0;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (!entry.is_directory()) continue;
        const Case test_case{entry.path().filename().string(), entry.path()};
        if (filter && test_case.name.find(filter) == std::string::npos) continue;
        auto bytes = read_file(test_case.dir / "model.onnx");
        std::string why_not;
        try {
            why_not = ineligible(onnx::parse_model(bytes.data(), bytes.size()), promised);
        } catch (const Error& e) {
            why_not = "unparsable";
        }
        if (!why_not.empty() || exclusions.count(test_case.name)) continue;
        ++eligible;
        int device_nodes = 0;
        std::string failure = run_case(test_case, device, &device_nodes);
        if (failure.empty()) {
            ++passed;
            if (device_nodes > 0) ++on_device;
        } else {
            ADD_FAILURE() << test_case.name << " (" << label << "): " << failure;
        }
    }
    std::cout << "ONNX node tests on " << label << ": " << eligible << " eligible, " << passed << " passed, " << eligible - passed
              << " failed, " << on_device << " ran nodes on " << label << "\n";
    return on_device;
}

TEST(OnnxNodeTests, EligibleCasesPassOnOpenCl) {
    const char* dir_env = std::getenv("EDGELITE_ONNX_NODE_DIR");
    fs::path root = dir_env ? dir_env : "/usr/share/libonnx-testdata/data/node";
    if (!fs::exists(root)) GTEST_SKIP() << root << " is missing: install Debian's libonnx-testdata (scripts/bootstrap.sh does)";
    if (get_device_count(LITE_OPENCL) == 0) GTEST_SKIP() << "no OpenCL device (install pocl-opencl-icd)";
    const int on_device = run_eligible_cases_on(LITE_OPENCL, "OpenCL");
    if (!std::getenv("EDGELITE_NODE_FILTER")) {
        EXPECT_GE(on_device, 100) << "the covered ops' cases should run on OpenCL";
    }
}

#ifdef EDGELITE_WITH_CUDA
// The same cases on the CUDA backend with the host emulator behind it (cuda_network.h's test hook): the node mapping
// of every op the CUDA kernels cover, run by the kernels' own code, against the cases' expected outputs.
TEST(OnnxNodeTests, EligibleCasesPassOnEmulatedCuda) {
    const char* dir_env = std::getenv("EDGELITE_ONNX_NODE_DIR");
    fs::path root = dir_env ? dir_env : "/usr/share/libonnx-testdata/data/node";
    if (!fs::exists(root)) GTEST_SKIP() << root << " is missing: install Debian's libonnx-testdata (scripts/bootstrap.sh does)";
    backend::cuda::testing::set_emulated_device(true);
    const int on_device = run_eligible_cases_on(LITE_CUDA, "emulated CUDA");
    backend::cuda::testing::set_emulated_device(false);
    if (!std::getenv("EDGELITE_NODE_FILTER")) {
        EXPECT_GE(on_device, 100) << "the covered ops' cases should run on the CUDA kernels";
    }
}
#endif
