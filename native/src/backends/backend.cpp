// The backend registry: one slot per device type, filled by each built-in backend's registrar.
#include "backends/backend.h"

#include <array>

#include "lite/error.h"
#include "lite/layout.h"

namespace lite::backend {
namespace {

using Registry = std::array<std::unique_ptr<Backend>, 8>;

Registry make_registry() {
    Registry slots;
    auto add = [&slots](std::unique_ptr<Backend> backend) {
        auto index = static_cast<size_t>(backend->type());
        slots.at(index) = std::move(backend);
    };
    add(make_cpu_backend());
#ifdef EDGELITE_WITH_CUDA
    add(make_cuda_backend());
#endif
#ifdef EDGELITE_WITH_OPENCL
    add(make_opencl_backend());
#endif
    return slots;
}

Registry& registry() {
    // Never destroyed: device runtimes (CUDA, OpenCL ICDs) may already be torn down when static destructors
    // run at exit, and releasing their handles then can crash. The OS reclaims everything at exit.
    static Registry* slots = new Registry(make_registry());
    return *slots;
}

const char* how_to_get(LiteDeviceType type) {
    switch (type) {
        case LITE_CUDA:
            return "build edgelite with nvcc on PATH (CUDA toolkit or JetPack) and run on a machine with an "
                   "NVIDIA GPU and driver (on a Jetson, check that JetPack's CUDA is installed and that tegrastats "
                   "shows the GPU; elsewhere, that nvidia-smi lists it)";
        case LITE_OPENCL:
            return "build edgelite with OpenCL headers and the ICD loader installed (Debian: opencl-headers "
                   "ocl-icd-opencl-dev) and install an OpenCL driver (e.g. pocl-opencl-icd)";
        default:
            return "use LITE_CPU";
    }
}

}  // namespace

Backend* find_backend(LiteDeviceType type) {
    auto index = static_cast<size_t>(type);
    if (index >= registry().size()) return nullptr;
    return registry()[index].get();
}

Backend& require_backend(LiteDeviceType type, int device_id) {
    if (type == LITE_DEVICE_DEFAULT) type = LITE_CPU;
    Backend* backend = find_backend(type);
    if (!backend) {
        throw Error(ErrorCode::DeviceUnavailable, std::string("device ") + device_name(type) +
                                                      " is not built into this edgelite binary: " + how_to_get(type));
    }
    int count = backend->device_count();
    if (count == 0) {
        throw Error(ErrorCode::DeviceUnavailable, std::string("no ") + device_name(type) +
                                                      " device found on this machine: " + how_to_get(type) +
                                                      ", or use LITE_CPU");
    }
    if (device_id < 0 || device_id >= count) {
        throw Error(ErrorCode::DeviceUnavailable, std::string(device_name(type)) + " device id " +
                                                      std::to_string(device_id) + " does not exist: " +
                                                      std::to_string(count) + " device(s), ids 0.." +
                                                      std::to_string(count - 1));
    }
    return *backend;
}

}  // namespace lite::backend
