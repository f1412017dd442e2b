#include "lite/tensor.h"

#include <algorithm>

#include "core/copy_stats.h"
#include "core/storage.h"
#include "core/strided_copy.h"
#include "lite/error.h"

namespace lite {
namespace {

LiteDeviceType resolve(LiteDeviceType device) { return device == LITE_DEVICE_DEFAULT ? LITE_CPU : device; }

std::string shape_text(const std::vector<size_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
    return text + "]";
}

}  // namespace

Tensor::Tensor() : Tensor(0, LITE_CPU, Layout{}, false) {}
Tensor::Tensor(LiteDeviceType device_type, bool is_pinned_host) : Tensor(0, device_type, Layout{}, is_pinned_host) {}
Tensor::Tensor(LiteDeviceType device_type, const Layout& layout, bool is_pinned_host)
        : Tensor(0, device_type, layout, is_pinned_host) {}

Tensor::Tensor(int device_id, LiteDeviceType device_type, const Layout& layout, bool is_pinned_host)
        : m_device_type(resolve(device_type)), m_device_id(device_id), m_is_pinned_host(is_pinned_host) {
    if (m_is_pinned_host && m_device_type != LITE_CPU) {
        throw Error(ErrorCode::InvalidArgument, std::string("isPinnedHost is for CPU tensors, not ") +
                                                    device_name(m_device_type) + ": drop the flag or use LITE_CPU");
    }
    // Fail at construction, not at first use, when the device cannot exist.
    backend::require_backend(m_device_type, m_device_id);
    set_layout(layout);
}

Tensor::~Tensor() = default;
Tensor::Tensor(Tensor&&) noexcept = default;
Tensor& Tensor::operator=(Tensor&&) noexcept = default;

void Tensor::set_layout(const Layout& layout) {
    Layout checked(layout.shape(), layout.data_type);  // validates dtype and ndim
    if (m_is_view) {
        throw Error(ErrorCode::InvalidState, "cannot change the layout of a slice view: copy it into a new tensor "
                                             "(copy_from) first");
    }
    if (m_storage && !m_storage->owned() && m_storage->bytes() - m_offset < checked.get_size_in_bytes()) {
        // Silently replacing memory the caller provided (zero-copy inputs and outputs) would break the caller's
        // expectation that results land there.
        throw Error(ErrorCode::ShapeMismatch, "layout " + checked.to_string() + " needs " +
                                                  std::to_string(checked.get_size_in_bytes()) + " bytes, but this tensor uses " +
                                                  std::to_string(m_storage->bytes() - m_offset) +
                                                  " bytes of memory you provided: give it larger memory (setDataByShare/reset)");
    }
    m_layout = checked;
    m_strides = contiguous_strides(m_layout.shape());
    if (m_storage && m_storage->bytes() - m_offset < m_layout.get_size_in_bytes()) {
        m_storage.reset();
        m_offset = 0;
    }
}

bool Tensor::is_continue_memory() const {
    auto dense = contiguous_strides(m_layout.shape());
    for (size_t i = 0; i < m_layout.ndim; ++i) {
        if (m_layout.shapes[i] != 1 && m_strides[i] != dense[i]) return false;
    }
    return true;
}

void Tensor::ensure_memory() const {
    if (m_storage) return;
    m_storage = Storage::allocate(m_device_type, m_device_id, m_layout.get_size_in_bytes(), m_is_pinned_host);
}

std::shared_ptr<Storage> Tensor::get_storage() const {
    ensure_memory();
    return m_storage;
}

const void* Tensor::get_storage_id() const { return m_storage.get(); }

std::shared_ptr<void> Tensor::get_memory_owner() const { return m_storage ? m_storage->owner() : nullptr; }

bool Tensor::is_host_accessible() const {
    ensure_memory();
    return m_storage->host() != nullptr;
}

void* Tensor::get_memory_ptr() const {
    ensure_memory();
    if (m_storage->host()) return m_storage->host() + m_offset;
    if (m_device_type == LITE_CUDA) return static_cast<char*>(m_storage->allocation().handle) + m_offset;
    throw Error(ErrorCode::NotSupported, std::string("the memory of this ") + device_name(m_device_type) +
                                             " tensor has no address the CPU can use: copy it to a CPU tensor "
                                             "(copy_from) to read it");
}

void* Tensor::get_memory_ptr(const std::vector<size_t>& idx) const {
    if (idx.size() > m_layout.ndim) {
        throw Error(ErrorCode::InvalidArgument, "index " + shape_text(idx) + " has more entries than the tensor's " +
                                                    std::to_string(m_layout.ndim) + " dims");
    }
    ptrdiff_t elems = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
        if (idx[i] >= m_layout.shapes[i]) {
            throw Error(ErrorCode::InvalidArgument, "index " + shape_text(idx) + " is outside shape " +
                                                        shape_text(m_layout.shape()) + " at dim " + std::to_string(i));
        }
        elems += static_cast<ptrdiff_t>(idx[i]) * m_strides[i];
    }
    return static_cast<char*>(get_memory_ptr()) + elems * static_cast<ptrdiff_t>(m_layout.get_elem_size());
}

void Tensor::fill_zero() {
    ensure_memory();
    std::vector<ptrdiff_t> unused = m_strides;
    for_each_run(m_layout.shape(), m_strides, unused, m_layout.get_elem_size(), [&](ptrdiff_t off, ptrdiff_t, size_t n) {
        m_storage->backend().fill_zero(m_device_id, m_storage->allocation(), m_offset + off, n);
    });
}

void Tensor::share_memory_with(const Tensor& src) {
    if (src.m_device_type != m_device_type || src.m_device_id != m_device_id) {
        throw Error(ErrorCode::InvalidArgument,
                    std::string("share_memory_with needs both tensors on one device, this one is on ") +
                            device_name(m_device_type) + ":" + std::to_string(m_device_id) + " and the source on " +
                            device_name(src.m_device_type) + ":" + std::to_string(src.m_device_id) +
                            ": use copy_from to move data between devices");
    }
    src.ensure_memory();
    m_storage = src.m_storage;
    m_layout = src.m_layout;
    m_strides = src.m_strides;
    m_offset = src.m_offset;
    m_is_view = src.m_is_view;
    m_is_pinned_host = src.m_is_pinned_host;
}

void Tensor::copy_from(const Tensor& src) {
    if (src.m_layout.ndim == 0) {
        throw Error(ErrorCode::InvalidArgument, "copy_from was given a tensor with an empty layout: set its layout "
                                                "and data first");
    }
    if (m_is_view) {
        if (src.m_layout.data_type != m_layout.data_type) {
            throw Error(ErrorCode::DtypeMismatch, "cannot copy " + src.m_layout.to_string() + " into a view of " +
                                                      m_layout.to_string() + ": the element types differ");
        }
        if (src.m_layout.shape() != m_layout.shape()) {
            throw Error(ErrorCode::ShapeMismatch, "cannot copy " + src.m_layout.to_string() + " into a view of " +
                                                      m_layout.to_string() + ": a view keeps its shape");
        }
    } else if (m_storage && !m_storage->owned() && m_storage->bytes() < src.get_tensor_total_size_in_byte()) {
        throw Error(ErrorCode::ShapeMismatch,
                    "this tensor uses caller memory of " + std::to_string(m_storage->bytes()) + " bytes, too small for " +
                            src.m_layout.to_string() + " (" + std::to_string(src.get_tensor_total_size_in_byte()) +
                            " bytes): give it larger memory with reset/setDataByShare");
    } else {
        set_layout(src.m_layout);
    }
    ensure_memory();
    src.ensure_memory();
    if (m_storage == src.m_storage && m_offset == src.m_offset && m_strides == src.m_strides) return;
    const Storage& dst_storage = *m_storage;
    const Storage& src_storage = *src.m_storage;
    for_each_run(m_layout.shape(), m_strides, src.m_strides, m_layout.get_elem_size(),
                 [&](ptrdiff_t dst_off, ptrdiff_t src_off, size_t n) {
                     copy_bytes(dst_storage, m_offset + dst_off, src_storage, src.m_offset + src_off, n);
                 });
}

void Tensor::copy_to_host(void* dst, size_t dst_bytes) const {
    size_t bytes = get_tensor_total_size_in_byte();
    if (dst_bytes < bytes) {
        throw Error(ErrorCode::InvalidArgument, "destination of " + std::to_string(dst_bytes) +
                                                    " bytes is smaller than the tensor's " + std::to_string(bytes));
    }
    if (bytes == 0) return;
    ensure_memory();
    std::shared_ptr<Storage> out = Storage::wrap(LITE_CPU, 0, dst, bytes, nullptr);
    auto dense = contiguous_strides(m_layout.shape());
    for_each_run(m_layout.shape(), dense, m_strides, m_layout.get_elem_size(),
                 [&](ptrdiff_t dst_off, ptrdiff_t src_off, size_t n) {
                     copy_bytes(*out, dst_off, *m_storage, m_offset + src_off, n);
                 });
}

void Tensor::reshape(const std::vector<int>& shape) {
    if (!is_continue_memory()) {
        throw Error(ErrorCode::NotContiguous, "cannot reshape a strided view " + m_layout.to_string() +
                                                  ": copy it into a contiguous tensor (copy_from) first");
    }
    size_t known = 1;
    int infer_at = -1;
    std::vector<size_t> dims(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            if (infer_at >= 0) {
                throw Error(ErrorCode::InvalidArgument, "reshape allows one -1, got more than one");
            }
            infer_at = static_cast<int>(i);
        } else if (shape[i] <= 0) {
            throw Error(ErrorCode::InvalidArgument,
                        "reshape dims must be positive or one -1, got " + std::to_string(shape[i]) + " at dim " +
                                std::to_string(i));
        } else {
            dims[i] = static_cast<size_t>(shape[i]);
            known *= dims[i];
        }
    }
    size_t total = m_layout.get_elem_count();
    if (infer_at >= 0) {
        if (known == 0 || total % known != 0) {
            throw Error(ErrorCode::ShapeMismatch, "cannot infer the -1 dim: " + std::to_string(total) +
                                                      " elements are not divisible by " + std::to_string(known));
        }
        dims[static_cast<size_t>(infer_at)] = total / known;
        known = total;
    }
    if (known != total) {
        throw Error(ErrorCode::ShapeMismatch, "reshape to " + shape_text(dims) + " (" + std::to_string(known) +
                                                  " elements) from " + m_layout.to_string() + " (" +
                                                  std::to_string(total) + " elements): counts must be equal");
    }
    Layout layout(dims, m_layout.data_type);
    m_layout = layout;
    m_strides = contiguous_strides(dims);
}

std::shared_ptr<Tensor> Tensor::slice(const std::vector<size_t>& start, const std::vector<size_t>& end,
                                      const std::vector<size_t>& step) const {
    if (start.size() != end.size() || (!step.empty() && step.size() != start.size())) {
        throw Error(ErrorCode::InvalidArgument, "slice needs start, end (and step, if given) of one length; got " +
                                                    std::to_string(start.size()) + ", " +
                                                    std::to_string(end.size()) + ", " + std::to_string(step.size()));
    }
    if (start.empty() || start.size() > m_layout.ndim) {
        throw Error(ErrorCode::InvalidArgument, "slice needs between 1 and " + std::to_string(m_layout.ndim) +
                                                    " entries (one per leading dim), got " +
                                                    std::to_string(start.size()));
    }
    auto view = std::make_shared<Tensor>(m_device_id, m_device_type, Layout{}, m_is_pinned_host);
    ensure_memory();
    std::vector<size_t> dims = m_layout.shape();
    std::vector<ptrdiff_t> strides = m_strides;
    ptrdiff_t offset_elems = 0;
    for (size_t i = 0; i < start.size(); ++i) {
        size_t s = step.empty() ? 1 : step[i];
        if (s == 0) throw Error(ErrorCode::InvalidArgument, "slice step is 0 at dim " + std::to_string(i));
        size_t e = std::min(end[i], dims[i]);  // ends are clamped, as in Lite
        if (start[i] >= e) {
            throw Error(ErrorCode::InvalidArgument,
                        "slice of dim " + std::to_string(i) + " (size " + std::to_string(dims[i]) + ") from " +
                                std::to_string(start[i]) + " to " + std::to_string(end[i]) +
                                " is empty: start must be below the end and the dim size");
        }
        offset_elems += static_cast<ptrdiff_t>(start[i]) * strides[i];
        dims[i] = (e - start[i] + s - 1) / s;
        strides[i] *= static_cast<ptrdiff_t>(s);
    }
    view->m_layout = Layout(dims, m_layout.data_type);
    view->m_strides = strides;
    view->m_offset = m_offset + static_cast<size_t>(offset_elems) * m_layout.get_elem_size();
    view->m_storage = m_storage;
    view->m_is_view = true;
    return view;
}

void Tensor::reset(void* prepared_data, size_t data_length_in_byte) {
    if (data_length_in_byte < m_layout.get_size_in_bytes()) {
        throw Error(ErrorCode::ShapeMismatch, "reset() was given " + std::to_string(data_length_in_byte) +
                                                  " bytes, the layout " + m_layout.to_string() + " needs " +
                                                  std::to_string(m_layout.get_size_in_bytes()));
    }
    Layout layout = m_layout;
    if (m_is_view) throw Error(ErrorCode::InvalidState, "cannot reset the memory of a slice view");
    m_storage = Storage::wrap(m_device_type, m_device_id, prepared_data, data_length_in_byte, nullptr);
    m_offset = 0;
    m_strides = contiguous_strides(layout.shape());
}

void Tensor::reset(void* prepared_data, const Layout& layout) { reset(prepared_data, layout, nullptr); }

void Tensor::reset(void* prepared_data, const Layout& layout, std::shared_ptr<void> owner) {
    if (m_is_view) throw Error(ErrorCode::InvalidState, "cannot reset the memory of a slice view");
    Layout checked(layout.shape(), layout.data_type);
    m_storage = Storage::wrap(m_device_type, m_device_id, prepared_data, checked.get_size_in_bytes(), std::move(owner));
    m_layout = checked;
    m_strides = contiguous_strides(checked.shape());
    m_offset = 0;
}

std::shared_ptr<Tensor> TensorUtils::concat(const std::vector<std::shared_ptr<Tensor>>& tensors, int dim,
                                            LiteDeviceType dst_device, int dst_device_id) {
    if (tensors.empty()) throw Error(ErrorCode::InvalidArgument, "concat needs at least one tensor");
    for (const auto& t : tensors) {
        if (!t) throw Error(ErrorCode::InvalidArgument, "concat was given a null tensor");
    }
    Layout first = tensors[0]->get_layout();
    int ndim = static_cast<int>(first.ndim);
    if (ndim == 0) throw Error(ErrorCode::InvalidArgument, "concat was given a tensor with an empty layout");
    int axis = dim < 0 ? dim + ndim : dim;
    if (axis < 0 || axis >= ndim) {
        throw Error(ErrorCode::InvalidArgument, "concat dim " + std::to_string(dim) + " is outside the " +
                                                    std::to_string(ndim) + " dims of the inputs");
    }
    std::vector<size_t> out_shape = first.shape();
    out_shape[axis] = 0;
    for (size_t k = 0; k < tensors.size(); ++k) {
        Layout layout = tensors[k]->get_layout();
        if (layout.data_type != first.data_type) {
            throw Error(ErrorCode::DtypeMismatch, "concat input " + std::to_string(k) + " is " + layout.to_string() +
                                                      ", input 0 is " + first.to_string() + ": convert first");
        }
        bool same = layout.ndim == first.ndim;
        for (int i = 0; same && i < ndim; ++i) same = i == axis || layout.shapes[i] == first.shapes[i];
        if (!same) {
            throw Error(ErrorCode::ShapeMismatch, "concat input " + std::to_string(k) + " is " + layout.to_string() +
                                                      ", input 0 is " + first.to_string() + ": all dims but " +
                                                      std::to_string(axis) + " must agree");
        }
        out_shape[axis] += layout.shapes[axis];
    }
    LiteDeviceType device = dst_device == LITE_DEVICE_DEFAULT ? tensors[0]->get_device_type() : dst_device;
    int device_id = dst_device_id < 0 ? (dst_device == LITE_DEVICE_DEFAULT ? tensors[0]->get_device_id() : 0)
                                      : dst_device_id;
    auto result = std::make_shared<Tensor>(device_id, device, Layout(out_shape, first.data_type));
    std::vector<size_t> start(static_cast<size_t>(ndim), 0), end = out_shape;
    for (const auto& t : tensors) {
        end[axis] = start[axis] + t->get_layout().shapes[axis];
        result->slice(start, end)->copy_from(*t);
        start[axis] = end[axis];
    }
    return result;
}

}  // namespace lite
