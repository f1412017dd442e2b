// lite::Tensor: a layout plus memory on one device. The memory may be owned by the tensor, shared with other
// tensors (share_memory_with, slice), or provided by the caller (reset), which the tensor never frees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lite/common.h"
#include "lite/layout.h"

namespace lite {

class Storage;  // internal: a backend allocation, shared by every tensor that views it

class Tensor {
public:
    //! An empty CPU tensor (layout with ndim 0); memory comes with the first layout and access.
    Tensor();
    explicit Tensor(LiteDeviceType device_type, bool is_pinned_host = false);
    Tensor(LiteDeviceType device_type, const Layout& layout, bool is_pinned_host = false);
    Tensor(int device_id, LiteDeviceType device_type, const Layout& layout, bool is_pinned_host = false);
    ~Tensor();
    Tensor(const Tensor&) = delete;
    Tensor& operator=(const Tensor&) = delete;
    Tensor(Tensor&&) noexcept;
    Tensor& operator=(Tensor&&) noexcept;

    LiteDeviceType get_device_type() const { return m_device_type; }
    int get_device_id() const { return m_device_id; }
    //! Page-locked host memory (CUDA's cudaHostAlloc when a CUDA device is present, ordinary memory otherwise).
    bool is_pinned_host() const { return m_is_pinned_host; }
    Layout get_layout() const { return m_layout; }
    //! Changes the layout of a contiguous tensor; memory that is too small is dropped and reallocated on next use.
    void set_layout(const Layout& layout);
    //! Element strides of each dim; contiguous row-major unless this tensor is a strided view.
    const std::vector<ptrdiff_t>& get_strides() const { return m_strides; }
    //! True when the elements are densely packed in row-major order (false for most slices).
    bool is_continue_memory() const;
    //! True for tensors made by slice(): copy_from keeps their layout instead of taking the source's.
    bool is_view() const { return m_is_view; }
    //! Bytes of the elements (layout size), not of the underlying allocation.
    size_t get_tensor_total_size_in_byte() const { return m_layout.get_size_in_bytes(); }

    //! Address of the first element (allocating memory if needed). Host memory for CPU tensors; the device
    //! address for CUDA; for OpenCL the host mapping when the buffer has one, else Error(NotSupported).
    void* get_memory_ptr() const;
    //! Address of the element at idx (one index per leading dim; missing trailing indices are 0).
    void* get_memory_ptr(const std::vector<size_t>& idx) const;
    //! True when the CPU can read and write this tensor's memory directly.
    bool is_host_accessible() const;

    void fill_zero();
    //! Aliases src's memory and takes its layout; the memory stays alive while either tensor uses it.
    void share_memory_with(const Tensor& src);
    //! Copies src's elements from any device to this tensor's device. A non-view destination takes src's
    //! layout; a view keeps its own layout, which must equal src's.
    void copy_from(const Tensor& src);
    //! New shape over the same memory; one dim may be -1. Needs contiguous memory.
    void reshape(const std::vector<int>& shape);
    //! A strided view sharing memory: per dim [start, end) by step (default 1); ends are clamped to the dim;
    //! dims after start.size() are kept whole.
    std::shared_ptr<Tensor> slice(const std::vector<size_t>& start, const std::vector<size_t>& end,
                                  const std::vector<size_t>& step = {}) const;
    //! Use caller memory (at least the layout's bytes) without copying; the tensor never frees it.
    void reset(void* prepared_data, size_t data_length_in_byte);
    void reset(void* prepared_data, const Layout& layout);
    //! As reset, and keeps `owner` alive for as long as any tensor uses that memory (the SDK passes the JS
    //! array's reference here so the garbage collector cannot free memory still in use).
    void reset(void* prepared_data, const Layout& layout, std::shared_ptr<void> owner);
    //! Copies the elements, densely packed, into dst (host memory of at least get_tensor_total_size_in_byte()).
    void copy_to_host(void* dst, size_t dst_bytes) const;
    //! Identity of the underlying allocation (nullptr before allocation): equal for tensors sharing memory.
    const void* get_storage_id() const;
    //! The allocation (allocating it if needed). Holding the pointer keeps the memory alive, e.g. while a JS
    //! ArrayBuffer views it; Storage itself is internal to the runtime.
    std::shared_ptr<Storage> get_storage() const;
    //! The owner given to reset(data, layout, owner), or nullptr when the memory is not caller memory.
    std::shared_ptr<void> get_memory_owner() const;
    //! Internal: byte offset of the first element in the allocation.
    size_t get_storage_offset() const { return m_offset; }

private:
    void ensure_memory() const;

    LiteDeviceType m_device_type = LITE_CPU;
    int m_device_id = 0;
    bool m_is_pinned_host = false;
    bool m_is_view = false;
    Layout m_layout;
    std::vector<ptrdiff_t> m_strides;
    size_t m_offset = 0;
    mutable std::shared_ptr<Storage> m_storage;
};

struct TensorUtils {
    //! Joins tensors of one dtype along dim (negative counts from the end); all other dims must agree.
    //! The result lives on dst_device (LITE_DEVICE_DEFAULT: the first tensor's device).
    static std::shared_ptr<Tensor> concat(const std::vector<std::shared_ptr<Tensor>>& tensors, int dim,
                                          LiteDeviceType dst_device = LITE_DEVICE_DEFAULT, int dst_device_id = -1);
};

}  // namespace lite
