#include <gtest/gtest.h>

#include <string>

#include "backends/backend.h"
#include "lite/error.h"
#include "lite/global.h"
#include "lite/tensor.h"

using namespace lite;

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

TEST(Backend, VersionMatchesString) {
    int major = -1, minor = -1, patch = -1;
    get_version(major, minor, patch);
    EXPECT_EQ(get_version_string(),
              std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));
}
