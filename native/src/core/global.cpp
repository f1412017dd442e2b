#include "lite/global.h"

#include <atomic>

#include "backends/backend.h"
#include "core/storage.h"
#include "core/version.h"

namespace lite {
namespace {
std::atomic<int> g_log_level{LITE_WARN};
}

size_t get_device_count(LiteDeviceType device_type) {
    if (device_type == LITE_DEVICE_DEFAULT) device_type = LITE_CPU;
    backend::Backend* backend = backend::find_backend(device_type);
    return backend ? static_cast<size_t>(backend->device_count()) : 0;
}

void release_unused_memory() { release_unused_heap(); }

std::string get_device_description(LiteDeviceType device_type, int device_id) {
    return backend::require_backend(device_type, device_id).device_description(device_id);
}

void get_version(int& major, int& minor, int& patch) {
    major = EDGELITE_VERSION_MAJOR;
    minor = EDGELITE_VERSION_MINOR;
    patch = EDGELITE_VERSION_PATCH;
}

std::string get_version_string() {
    return std::to_string(EDGELITE_VERSION_MAJOR) + "." + std::to_string(EDGELITE_VERSION_MINOR) + "." +
           std::to_string(EDGELITE_VERSION_PATCH);
}

void set_log_level(LiteLogLevel level) { g_log_level = level; }
LiteLogLevel get_log_level() { return static_cast<LiteLogLevel>(g_log_level.load()); }

std::string get_built_backends() {
    std::string names;
    for (LiteDeviceType type : {LITE_CPU, LITE_CUDA, LITE_OPENCL}) {
        if (backend::Backend* backend = backend::find_backend(type)) {
            names += std::string(names.empty() ? "" : ",") + backend->name();
        }
    }
    return names;
}

}  // namespace lite
