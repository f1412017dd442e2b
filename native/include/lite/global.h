// Process-wide queries and settings: devices, version, logging, copy statistics.
#pragma once

#include <cstdint>
#include <string>

#include "lite/common.h"

namespace lite {

//! Number of usable devices of a type: 1 for CPU; 0 when the backend is not built in or finds no device.
size_t get_device_count(LiteDeviceType device_type);

//! One device in words, for `edgelite info` and logs: its name, and what decides how data reaches it. CUDA gives the
//! compute capability and "integrated: shares memory with the CPU" (Jetson) or "discrete"; OpenCL the version and
//! "unified memory: shares memory with the CPU" or "discrete: own memory"; the CPU its hardware threads. Throws
//! Error(DeviceUnavailable) when the backend is not built in, finds no device, or device_id is out of range; the
//! message says how to get one.
std::string get_device_description(LiteDeviceType device_type, int device_id = 0);

//! Gives the heap memory the allocator keeps after frees back to the system (glibc; nothing elsewhere). The runtime
//! does it itself after a model is loaded and after a network's first run; call it after dropping networks in a
//! long-running process.
void release_unused_memory();

//! Version of the runtime library.
void get_version(int& major, int& minor, int& patch);
std::string get_version_string();

void set_log_level(LiteLogLevel level);
LiteLogLevel get_log_level();

//! Bytes the runtime has copied to move tensor data, by direction ("host" is CPU memory, pinned included).
//! Kernel work is not counted; a zero-copy run adds nothing.
struct CopyStats {
    uint64_t host_to_host = 0;
    uint64_t host_to_device = 0;
    uint64_t device_to_host = 0;
    uint64_t device_to_device = 0;
};
CopyStats get_copy_stats();
void reset_copy_stats();

//! Names of the backends compiled into this build, e.g. "cpu,cuda".
std::string get_built_backends();

}  // namespace lite
