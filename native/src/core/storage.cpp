#include "core/storage.h"

#include <cstring>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/copy_stats.h"
#include "lite/error.h"

namespace lite {

void release_unused_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

std::shared_ptr<Storage> Storage::allocate(LiteDeviceType device, int device_id, size_t bytes, bool pinned_host) {
    std::shared_ptr<Storage> storage(new Storage());
    storage->m_device = device;
    storage->m_device_id = device_id;
    storage->m_owned = true;
    storage->m_backend = &backend::require_backend(device, device_id);
    if (pinned_host && device == LITE_CPU) {
        // Pinned memory belongs to a device runtime (CUDA); without one it is ordinary host memory.
        for (LiteDeviceType type : {LITE_CUDA, LITE_OPENCL}) {
            backend::Backend* candidate = backend::find_backend(type);
            if (!candidate || candidate->device_count() == 0) continue;
            backend::Allocation allocation = candidate->allocate_pinned_host(bytes);
            if (allocation.handle) {
                storage->m_allocation = allocation;
                storage->m_pinned_backend = candidate;
                storage->m_pinned_host = true;
                return storage;
            }
        }
    }
    storage->m_allocation = storage->m_backend->allocate(device_id, bytes);
    return storage;
}

std::shared_ptr<Storage> Storage::wrap(LiteDeviceType device, int device_id, void* data, size_t bytes,
                                       std::shared_ptr<void> owner) {
    if (!data && bytes > 0) {
        throw Error(ErrorCode::InvalidArgument, "reset() was given a null pointer: pass memory of at least " +
                                                    std::to_string(bytes) + " bytes");
    }
    std::shared_ptr<Storage> storage(new Storage());
    storage->m_device = device;
    storage->m_device_id = device_id;
    storage->m_owned = false;
    storage->m_backend = &backend::require_backend(device, device_id);
    storage->m_allocation.handle = data;
    // Caller memory of a CPU tensor is host memory; device handles are not CPU addresses.
    storage->m_allocation.host = device == LITE_CPU ? data : nullptr;
    storage->m_allocation.bytes = bytes;
    storage->m_owner = std::move(owner);
    return storage;
}

Storage::~Storage() {
    if (!m_owned) return;
    if (m_pinned_host) {
        m_pinned_backend->deallocate(0, m_allocation, true);
    } else {
        m_backend->deallocate(m_device_id, m_allocation, false);
    }
}

void copy_bytes(const Storage& dst, size_t dst_offset, const Storage& src, size_t src_offset, size_t bytes) {
    if (bytes == 0) return;
    count_copy(src.device(), dst.device(), bytes);
    if (dst.host() && src.host()) {
        std::memmove(dst.host() + dst_offset, src.host() + src_offset, bytes);
    } else if (src.host()) {
        dst.backend().copy_host_to_device(dst.device_id(), dst.allocation(), dst_offset, src.host() + src_offset,
                                          bytes);
    } else if (dst.host()) {
        src.backend().copy_device_to_host(src.device_id(), dst.host() + dst_offset, src.allocation(), src_offset,
                                          bytes);
    } else if (&dst.backend() == &src.backend() && dst.device_id() == src.device_id()) {
        dst.backend().copy_device_to_device(dst.device_id(), dst.allocation(), dst_offset, src.allocation(),
                                            src_offset, bytes);
    } else {
        // Two different devices: stage through host memory.
        std::vector<char> staging(bytes);
        src.backend().copy_device_to_host(src.device_id(), staging.data(), src.allocation(), src_offset, bytes);
        dst.backend().copy_host_to_device(dst.device_id(), dst.allocation(), dst_offset, staging.data(), bytes);
    }
}

}  // namespace lite
