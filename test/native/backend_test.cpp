#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>

#include "backends/backend.h"
#include "lite/error.h"
#include "lite/global.h"
#include "lite/tensor.h"
#include "error_code.h"

using namespace lite;
using lite::test::code_of;

TEST(Backend, CpuIsAlwaysThere) {
    EXPECT_EQ(get_device_count(LITE_CPU), 1u);
    EXPECT_NE(get_built_backends().find("cpu"), std::string::npos);
    ASSERT_NE(backend::find_backend(LITE_CPU), nullptr);
    EXPECT_STREQ(backend::find_backend(LITE_CPU)->name(), "cpu");
}

// A device type with no device (not built, or no hardware/driver) is a clear error, never a crash.
TEST(Backend, MissingDeviceIsDeviceUnavailable) {
    for (LiteDeviceType type : {LITE_CUDA, LITE_OPENCL}) {
        if (get_device_count(type) > 0) continue;
        try {
            Tensor tensor(type, Layout({4}));
            FAIL() << "tensor created on a missing device";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::DeviceUnavailable);
            EXPECT_NE(std::string(e.what()).find(device_name(type)), std::string::npos) << e.what();
        }
    }
}

TEST(Backend, DeviceIdOutOfRange) {
    try {
        Tensor tensor(3, LITE_CPU, Layout({4}));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceUnavailable);
    }
}

// get_device_description: what `edgelite info --device` prints, for the devices this machine has; a device that is
// not there throws DeviceUnavailable with the registry's advice, never an empty string.
TEST(Backend, DeviceDescriptionOfPresentDevices) {
    const std::string cpu = get_device_description(LITE_CPU);
    EXPECT_NE(cpu.find("CPU ("), std::string::npos) << cpu;
    EXPECT_NE(cpu.find("hardware threads"), std::string::npos) << cpu;
    EXPECT_EQ(get_device_description(LITE_DEVICE_DEFAULT), cpu);
    if (get_device_count(LITE_OPENCL) > 0) {  // PoCL here: "pthread-... (OpenCL 3.0, unified memory: ...)"
        const std::string opencl = get_device_description(LITE_OPENCL, 0);
        const std::regex form(R"(^\S.* \(OpenCL \d+\.\d+, (unified memory: shares memory with the CPU|discrete: own memory)\)$)");
        EXPECT_TRUE(std::regex_search(opencl, form)) << opencl;
    }
    if (get_device_count(LITE_CUDA) > 0) {
        const std::string cuda = get_device_description(LITE_CUDA, 0);
        const std::regex form(R"(\(compute \d+\.\d+, (integrated: shares memory with the CPU|discrete)\)$)");
        EXPECT_TRUE(std::regex_search(cuda, form)) << cuda;
    }
}

TEST(Backend, DeviceDescriptionOfMissingDevices) {
    EXPECT_EQ(code_of([] { get_device_description(LITE_CPU, 1); }), ErrorCode::DeviceUnavailable);
    EXPECT_EQ(code_of([] { get_device_description(LITE_CPU, -1); }), ErrorCode::DeviceUnavailable);
    for (LiteDeviceType type : {LITE_CUDA, LITE_OPENCL}) {
        const int count = static_cast<int>(get_device_count(type));
        EXPECT_EQ(code_of([&] { get_device_description(type, count); }), ErrorCode::DeviceUnavailable)
                << device_name(type) << " id " << count;
    }
    if (get_device_count(LITE_CUDA) > 0) GTEST_SKIP() << "this machine has a CUDA device";
    try {
        get_device_description(LITE_CUDA);
        FAIL() << "a description of a CUDA device this machine does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceUnavailable);
        EXPECT_NE(std::string(e.what()).find("nvidia-smi"), std::string::npos) << e.what();
    }
}

TEST(Backend, VersionMatchesString) {
    int major = -1, minor = -1, patch = -1;
    get_version(major, minor, patch);
    EXPECT_EQ(get_version_string(),
              std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));
}
