// The onnxruntime references the C++ tests compare with: test/fixtures/make-references.ts (run by npm test) writes,
// per model, .cache/references/<model>/ with model.path, input.name, input.shape, input.bin, outputs.txt and
// output_<i>.bin/.shape. Readers for them, the comparison, and one forward of a model on a device.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lite/network.h"

namespace lite::test {

namespace fs = std::filesystem;

inline std::string read_text(const fs::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

inline std::vector<float> read_floats(const fs::path& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    std::vector<float> values(static_cast<size_t>(file.tellg()) / sizeof(float));
    file.seekg(0);
    file.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
    return values;
}

inline std::vector<size_t> read_shape(const fs::path& path) {
    std::istringstream text(read_text(path));
    std::vector<size_t> dims;
    for (size_t d; text >> d;) dims.push_back(d);
    return dims;
}

//! ||got - want|| / ||want|| over count floats.
inline double relative_l2(const float* got, const float* want, size_t count) {
    double diff = 0, ref = 0;
    for (size_t i = 0; i < count; ++i) {
        diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        ref += double(want[i]) * want[i];
    }
    return std::sqrt(diff) / std::max(std::sqrt(ref), 1e-30);
}
inline double relative_l2(const float* got, const std::vector<float>& want) { return relative_l2(got, want.data(), want.size()); }

struct Reference {
    std::string model, input_name;
    std::vector<size_t> input_shape;
    std::vector<float> input;
    std::vector<std::string> outputs;
    fs::path dir;
};

//! The reference of one model; `model` stays empty when make-references.ts has not written it.
inline Reference load_reference(const std::string& name) {
    Reference r;
    r.dir = fs::path(EDGELITE_SOURCE_DIR) / ".cache" / "references" / name;
    if (!fs::exists(r.dir / "outputs.txt")) return r;
    r.model = read_text(r.dir / "model.path");
    r.input_name = read_text(r.dir / "input.name");
    r.input_shape = read_shape(r.dir / "input.shape");
    r.input = read_floats(r.dir / "input.bin");
    std::istringstream names(read_text(r.dir / "outputs.txt"));
    for (std::string line; std::getline(names, line);) r.outputs.push_back(line);
    return r;
}

//! One forward of the reference's model and input on `device`.
inline std::shared_ptr<Network> run_reference(const Reference& r, LiteDeviceType device) {
    Config config;
    config.device_type = device;
    auto network = std::make_shared<Network>(config);
    network->load_model(r.model);
    auto input = network->get_io_tensor(r.input_name);
    input->set_layout(Layout(r.input_shape, LITE_FLOAT));
    std::memcpy(input->get_memory_ptr(), r.input.data(), r.input.size() * sizeof(float));
    network->forward();
    network->wait();
    return network;
}

}  // namespace lite::test
