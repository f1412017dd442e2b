// Storage: one allocation on one device, shared by every tensor that views it (shared_ptr), freed through its
// backend when the last view goes, unless it is caller memory, which is only released (its owner dropped).
#pragma once

#include <memory>

#include "backends/backend.h"
#include "lite/common.h"

namespace lite {

//! Hands the heap memory the allocator keeps after frees back to the system (glibc's malloc_trim; nothing elsewhere).
//! Loading a model frees several model-sized buffers (the file, the parsed protobuf, weights before folding) that
//! glibc would otherwise keep resident: ~12 MiB of PP-OCR rec's 58.
void release_unused_heap();

class Storage {
public:
    //! Memory owned by the runtime. Pinned host memory comes from the first backend that has it, else it is
    //! ordinary aligned host memory.
    static std::shared_ptr<Storage> allocate(LiteDeviceType device, int device_id, size_t bytes, bool pinned_host);
    //! Caller memory (a host address for CPU tensors, a device handle otherwise); `owner` is kept alive with it.
    static std::shared_ptr<Storage> wrap(LiteDeviceType device, int device_id, void* data, size_t bytes,
                                         std::shared_ptr<void> owner);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    LiteDeviceType device() const { return m_device; }
    int device_id() const { return m_device_id; }
    backend::Backend& backend() const { return *m_backend; }
    const backend::Allocation& allocation() const { return m_allocation; }
    size_t bytes() const { return m_allocation.bytes; }
    //! CPU address of byte 0, or nullptr when the CPU cannot reach this memory.
    char* host() const { return static_cast<char*>(m_allocation.host); }
    bool owned() const { return m_owned; }
    const std::shared_ptr<void>& owner() const { return m_owner; }

private:
    Storage() = default;
    LiteDeviceType m_device = LITE_CPU;
    int m_device_id = 0;
    bool m_owned = false;
    bool m_pinned_host = false;
    backend::Backend* m_backend = nullptr;
    backend::Backend* m_pinned_backend = nullptr;
    backend::Allocation m_allocation;
    std::shared_ptr<void> m_owner;
};

//! Copies bytes between two allocations on any devices, choosing the path (memcpy, backend copy, or staging
//! through host memory between two different device backends) and counting the bytes in the copy statistics
//! by the devices of the two tensors. All offsets are in bytes.
void copy_bytes(const Storage& dst, size_t dst_offset, const Storage& src, size_t src_offset, size_t bytes);

}  // namespace lite
