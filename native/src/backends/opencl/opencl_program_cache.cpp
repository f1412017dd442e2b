// Building the kernels' program once per (context, device) and caching its binary on disk. A cache file holds a
// header (magic, key, payload size and checksum) and the driver's binary; anything that does not check out, or
// that the driver refuses, is ignored and the file rewritten from a fresh compile.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "backends/opencl/opencl_kernels.h"
#include "lite/error.h"

namespace lite::backend::opencl {
namespace {

const Api& cl() {
    const Api* api = opencl::api();
    if (!api) throw Error(ErrorCode::DeviceUnavailable, "OpenCL is not installed (libOpenCL.so.1 was not found)");
    return *api;
}

uint64_t fnv1a(const void* data, size_t size, uint64_t hash = 1469598103934665603ull) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
    return hash;
}
uint64_t fnv1a(const std::string& s, uint64_t hash) { return fnv1a(s.data(), s.size() + 1, hash); }  // with the NUL

std::string device_string(cl_device_id device, cl_device_info what) {
    size_t size = 0;
    cl_check(cl().clGetDeviceInfo(device, what, 0, nullptr, &size), "clGetDeviceInfo");
    std::string value(size, '\0');
    cl_check(cl().clGetDeviceInfo(device, what, size, value.data(), nullptr), "clGetDeviceInfo");
    while (!value.empty() && value.back() == '\0') value.pop_back();
    return value;
}

const std::string& all_sources() {
    static const std::string text = [] {
        std::string s;
        for (size_t i = 0; i < kClKernelSourceCount; ++i) {
            s += "// ---- ";
            s += kClKernelSources[i].name;
            s += "\n";
            s += kClKernelSources[i].text;
            s += "\n";
        }
        return s;
    }();
    return text;
}

//! The cache key of a device: everything that makes a binary valid for it.
uint64_t cache_key(cl_device_id device) {
    uint64_t h = fnv1a(device_string(device, CL_DEVICE_NAME), 1469598103934665603ull);
    h = fnv1a(device_string(device, CL_DEVICE_VENDOR), h);
    h = fnv1a(device_string(device, CL_DRIVER_VERSION), h);
    h = fnv1a(device_string(device, CL_DEVICE_VERSION), h);
    h = fnv1a(std::string(ClProgramCache::build_options()), h);
    return fnv1a(all_sources(), h);
}

constexpr char kMagic[8] = {'E', 'L', 'C', 'L', 'B', 'I', 'N', '1'};
struct FileHeader {
    char magic[8];
    uint64_t key;
    uint64_t size;
    uint64_t checksum;
};
constexpr size_t kMaxBinaryBytes = size_t(256) << 20;  // a limit on what a cache file may make us allocate

std::string build_log(cl_program program, cl_device_id device) {
    size_t size = 0;
    if (cl().clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) != CL_SUCCESS) return "";
    std::string log(size, '\0');
    if (cl().clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr) != CL_SUCCESS) return "";
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
    return log;
}

//! The cached binary for `key`, or empty when there is none or it does not check out (rejected set then).
std::vector<unsigned char> read_cache(const std::string& path, uint64_t key, bool& rejected) {
    rejected = false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    FileHeader header{};
    std::vector<unsigned char> binary;
    if (in.read(reinterpret_cast<char*>(&header), sizeof(header)) && std::memcmp(header.magic, kMagic, 8) == 0 &&
        header.key == key && header.size > 0 && header.size <= kMaxBinaryBytes) {
        binary.resize(static_cast<size_t>(header.size));
        if (in.read(reinterpret_cast<char*>(binary.data()), static_cast<std::streamsize>(binary.size())) &&
            in.peek() == std::char_traits<char>::eof() && fnv1a(binary.data(), binary.size()) == header.checksum) {
            return binary;
        }
    }
    rejected = true;
    return {};
}

void make_directories(const std::string& path) {
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);  // existing ones: EEXIST
    }
}

//! Writes the file beside its final name and renames it, so a concurrent reader never sees half a file.
bool write_cache(const std::string& directory, const std::string& path, uint64_t key,
                 const std::vector<unsigned char>& binary) {
    make_directories(directory);
    const std::string temp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        FileHeader header{};
        std::memcpy(header.magic, kMagic, 8);
        header.key = key;
        header.size = binary.size();
        header.checksum = fnv1a(binary.data(), binary.size());
        out.write(reinterpret_cast<const char*>(&header), sizeof(header));
        out.write(reinterpret_cast<const char*>(binary.data()), static_cast<std::streamsize>(binary.size()));
        if (!out.flush()) {
            std::remove(temp.c_str());
            return false;
        }
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        std::remove(temp.c_str());
        return false;
    }
    return true;
}

std::vector<unsigned char> program_binary(cl_program program) {
    size_t size = 0;
    if (cl().clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(size), &size, nullptr) != CL_SUCCESS || size == 0) return {};
    std::vector<unsigned char> binary(size);
    unsigned char* pointer = binary.data();
    if (cl().clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(pointer), &pointer, nullptr) != CL_SUCCESS) return {};
    return binary;
}

}  // namespace

std::string cl_status_name(cl_int status) {
    switch (status) {
#define EDGELITE_CL_STATUS(name) case name: return #name;
        EDGELITE_CL_STATUS(CL_SUCCESS) EDGELITE_CL_STATUS(CL_DEVICE_NOT_FOUND) EDGELITE_CL_STATUS(CL_DEVICE_NOT_AVAILABLE)
        EDGELITE_CL_STATUS(CL_COMPILER_NOT_AVAILABLE) EDGELITE_CL_STATUS(CL_MEM_OBJECT_ALLOCATION_FAILURE)
        EDGELITE_CL_STATUS(CL_OUT_OF_RESOURCES) EDGELITE_CL_STATUS(CL_OUT_OF_HOST_MEMORY)
        EDGELITE_CL_STATUS(CL_PROFILING_INFO_NOT_AVAILABLE) EDGELITE_CL_STATUS(CL_MEM_COPY_OVERLAP)
        EDGELITE_CL_STATUS(CL_IMAGE_FORMAT_MISMATCH) EDGELITE_CL_STATUS(CL_IMAGE_FORMAT_NOT_SUPPORTED)
        EDGELITE_CL_STATUS(CL_BUILD_PROGRAM_FAILURE) EDGELITE_CL_STATUS(CL_MAP_FAILURE)
        EDGELITE_CL_STATUS(CL_MISALIGNED_SUB_BUFFER_OFFSET) EDGELITE_CL_STATUS(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
        EDGELITE_CL_STATUS(CL_COMPILE_PROGRAM_FAILURE) EDGELITE_CL_STATUS(CL_LINKER_NOT_AVAILABLE)
        EDGELITE_CL_STATUS(CL_LINK_PROGRAM_FAILURE) EDGELITE_CL_STATUS(CL_DEVICE_PARTITION_FAILED)
        EDGELITE_CL_STATUS(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) EDGELITE_CL_STATUS(CL_INVALID_VALUE)
        EDGELITE_CL_STATUS(CL_INVALID_DEVICE_TYPE) EDGELITE_CL_STATUS(CL_INVALID_PLATFORM) EDGELITE_CL_STATUS(CL_INVALID_DEVICE)
        EDGELITE_CL_STATUS(CL_INVALID_CONTEXT) EDGELITE_CL_STATUS(CL_INVALID_QUEUE_PROPERTIES)
        EDGELITE_CL_STATUS(CL_INVALID_COMMAND_QUEUE) EDGELITE_CL_STATUS(CL_INVALID_HOST_PTR)
        EDGELITE_CL_STATUS(CL_INVALID_MEM_OBJECT) EDGELITE_CL_STATUS(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
        EDGELITE_CL_STATUS(CL_INVALID_IMAGE_SIZE) EDGELITE_CL_STATUS(CL_INVALID_SAMPLER) EDGELITE_CL_STATUS(CL_INVALID_BINARY)
        EDGELITE_CL_STATUS(CL_INVALID_BUILD_OPTIONS) EDGELITE_CL_STATUS(CL_INVALID_PROGRAM)
        EDGELITE_CL_STATUS(CL_INVALID_PROGRAM_EXECUTABLE) EDGELITE_CL_STATUS(CL_INVALID_KERNEL_NAME)
        EDGELITE_CL_STATUS(CL_INVALID_KERNEL_DEFINITION) EDGELITE_CL_STATUS(CL_INVALID_KERNEL)
        EDGELITE_CL_STATUS(CL_INVALID_ARG_INDEX) EDGELITE_CL_STATUS(CL_INVALID_ARG_VALUE) EDGELITE_CL_STATUS(CL_INVALID_ARG_SIZE)
        EDGELITE_CL_STATUS(CL_INVALID_KERNEL_ARGS) EDGELITE_CL_STATUS(CL_INVALID_WORK_DIMENSION)
        EDGELITE_CL_STATUS(CL_INVALID_WORK_GROUP_SIZE) EDGELITE_CL_STATUS(CL_INVALID_WORK_ITEM_SIZE)
        EDGELITE_CL_STATUS(CL_INVALID_GLOBAL_OFFSET) EDGELITE_CL_STATUS(CL_INVALID_EVENT_WAIT_LIST)
        EDGELITE_CL_STATUS(CL_INVALID_EVENT) EDGELITE_CL_STATUS(CL_INVALID_OPERATION) EDGELITE_CL_STATUS(CL_INVALID_GL_OBJECT)
        EDGELITE_CL_STATUS(CL_INVALID_BUFFER_SIZE) EDGELITE_CL_STATUS(CL_INVALID_MIP_LEVEL)
        EDGELITE_CL_STATUS(CL_INVALID_GLOBAL_WORK_SIZE) EDGELITE_CL_STATUS(CL_INVALID_PROPERTY)
        EDGELITE_CL_STATUS(CL_INVALID_IMAGE_DESCRIPTOR) EDGELITE_CL_STATUS(CL_INVALID_COMPILER_OPTIONS)
        EDGELITE_CL_STATUS(CL_INVALID_LINKER_OPTIONS) EDGELITE_CL_STATUS(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef EDGELITE_CL_STATUS
        default: return "CL error " + std::to_string(status);
    }
}

void cl_check(cl_int status, const std::string& what) {
    if (status == CL_SUCCESS) return;
    const bool memory = status == CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL_OUT_OF_RESOURCES ||
                        status == CL_OUT_OF_HOST_MEMORY;
    throw Error(memory ? ErrorCode::OutOfMemory : ErrorCode::DeviceUnavailable,
                "OpenCL " + what + " failed: " + cl_status_name(status));
}

ClProgram::ClProgram(cl_context context, cl_device_id device, cl_program program)
        : m_context(context), m_device(device), m_program(program) {
    cl().clRetainContext(context);  // the program's kernels must not outlive the context
}

ClProgram::~ClProgram() {
    const Api* api = opencl::api();
    for (auto& entry : m_kernels) api->clReleaseKernel(entry.second.kernel);
    api->clReleaseProgram(m_program);
    api->clReleaseContext(m_context);
}

const ClProgram::Entry& ClProgram::kernel_locked(const char* name) {
    auto found = m_kernels.find(name);
    if (found != m_kernels.end()) return found->second;
    cl_int status = CL_SUCCESS;
    Entry entry;
    entry.kernel = cl().clCreateKernel(m_program, name, &status);
    cl_check(status, std::string("clCreateKernel(") + name + ")");
    status = cl().clGetKernelWorkGroupInfo(entry.kernel, m_device, CL_KERNEL_WORK_GROUP_SIZE, sizeof(size_t),
                                           &entry.max_work_group, nullptr);
    if (status != CL_SUCCESS) {
        cl().clReleaseKernel(entry.kernel);
        cl_check(status, std::string("clGetKernelWorkGroupInfo(") + name + ")");
    }
    return m_kernels.emplace(name, entry).first->second;
}

ClProgramCache::ClProgramCache(std::string directory) : m_directory(std::move(directory)) {}
ClProgramCache::~ClProgramCache() = default;

const char* ClProgramCache::build_options() { return "-cl-std=CL1.2"; }

std::string ClProgramCache::default_directory() {
    if (const char* dir = std::getenv("EDGELITE_CACHE_DIR"); dir && *dir) return dir;
    if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir) return std::string(dir) + "/edgelite";
    if (const char* dir = std::getenv("HOME"); dir && *dir) return std::string(dir) + "/.cache/edgelite";
    return "";
}

ClProgramCache& ClProgramCache::process() {
    static ClProgramCache cache;
    return cache;
}

std::string ClProgramCache::cache_file(cl_device_id device) const {
    if (m_directory.empty()) return "";
    char name[64];
    std::snprintf(name, sizeof(name), "/opencl-%016llx.bin", static_cast<unsigned long long>(cache_key(device)));
    return m_directory + name;
}

ClCacheStats ClProgramCache::stats() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stats;
}

ClProgram& ClProgramCache::program(cl_context context, cl_device_id device) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& entry : m_programs) {
        if (entry.first == std::make_pair(context, device)) return *entry.second;
    }
    cl_program program = build(context, device);
    m_programs.emplace_back(std::make_pair(context, device), std::make_unique<ClProgram>(context, device, program));
    return *m_programs.back().second;
}

cl_program ClProgramCache::build(cl_context context, cl_device_id device) {
    const uint64_t key = cache_key(device);
    const std::string path = cache_file(device);
    cl_int status = CL_SUCCESS;
    if (!path.empty()) {
        bool rejected = false;
        std::vector<unsigned char> binary = read_cache(path, key, rejected);
        if (!binary.empty()) {
            const unsigned char* pointer = binary.data();
            const size_t size = binary.size();
            cl_int binary_status = CL_SUCCESS;
            cl_program program = cl().clCreateProgramWithBinary(context, 1, &device, &size, &pointer, &binary_status, &status);
            if (status == CL_SUCCESS && binary_status == CL_SUCCESS &&
                cl().clBuildProgram(program, 1, &device, build_options(), nullptr, nullptr) == CL_SUCCESS) {
                ++m_stats.loaded;
                return program;
            }
            if (program) cl().clReleaseProgram(program);
            rejected = true;
        }
        if (rejected) ++m_stats.rejected;
    }
    const std::string& source = all_sources();
    const char* text = source.c_str();
    const size_t length = source.size();
    cl_program program = cl().clCreateProgramWithSource(context, 1, &text, &length, &status);
    cl_check(status, "clCreateProgramWithSource(edgelite kernels)");
    status = cl().clBuildProgram(program, 1, &device, build_options(), nullptr, nullptr);
    if (status != CL_SUCCESS) {
        const std::string log = build_log(program, device);
        cl().clReleaseProgram(program);
        if (status == CL_BUILD_PROGRAM_FAILURE) {
            throw Error(ErrorCode::Internal, "OpenCL kernels of edgelite failed to compile for " +
                                                     device_string(device, CL_DEVICE_NAME) + " (" +
                                                     device_string(device, CL_DRIVER_VERSION) + "):\n" + log);
        }
        cl_check(status, "clBuildProgram(edgelite kernels)");
    }
    ++m_stats.compiled;
    if (!path.empty()) {
        const std::vector<unsigned char> binary = program_binary(program);
        if (!binary.empty() && write_cache(m_directory, path, key, binary)) ++m_stats.written;
    }
    return program;
}

}  // namespace lite::backend::opencl
