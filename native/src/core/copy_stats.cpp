#include "core/copy_stats.h"

#include <atomic>

#include "lite/global.h"

namespace lite {
namespace {
std::atomic<uint64_t> g_host_to_host{0}, g_host_to_device{0}, g_device_to_host{0}, g_device_to_device{0};
}

void count_copy(LiteDeviceType src_device, LiteDeviceType dst_device, uint64_t bytes) {
    bool src_host = src_device == LITE_CPU, dst_host = dst_device == LITE_CPU;
    auto& counter = src_host ? (dst_host ? g_host_to_host : g_host_to_device)
                             : (dst_host ? g_device_to_host : g_device_to_device);
    counter.fetch_add(bytes, std::memory_order_relaxed);
}

CopyStats get_copy_stats() {
    CopyStats stats;
    stats.host_to_host = g_host_to_host.load(std::memory_order_relaxed);
    stats.host_to_device = g_host_to_device.load(std::memory_order_relaxed);
    stats.device_to_host = g_device_to_host.load(std::memory_order_relaxed);
    stats.device_to_device = g_device_to_device.load(std::memory_order_relaxed);
    return stats;
}

void reset_copy_stats() {
    g_host_to_host = 0;
    g_host_to_device = 0;
    g_device_to_host = 0;
    g_device_to_device = 0;
}

}  // namespace lite
