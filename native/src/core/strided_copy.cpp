#include "core/strided_copy.h"

namespace lite {

std::vector<ptrdiff_t> contiguous_strides(const std::vector<size_t>& shape) {
    std::vector<ptrdiff_t> strides(shape.size());
    ptrdiff_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= static_cast<ptrdiff_t>(shape[i]);
    }
    return strides;
}

void for_each_run(const std::vector<size_t>& shape, const std::vector<ptrdiff_t>& dst_strides,
                  const std::vector<ptrdiff_t>& src_strides, size_t elem_size,
                  const std::function<void(ptrdiff_t, ptrdiff_t, size_t)>& run) {
    // Drop size-1 dims (their stride is irrelevant), then merge neighbours that are contiguous in both tensors.
    std::vector<size_t> dims;
    std::vector<ptrdiff_t> dst, src;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 0) return;
        if (shape[i] == 1) continue;
        if (!dims.empty() && dst.back() == dst_strides[i] * static_cast<ptrdiff_t>(shape[i]) &&
            src.back() == src_strides[i] * static_cast<ptrdiff_t>(shape[i])) {
            dims.back() *= shape[i];
            dst.back() = dst_strides[i];
            src.back() = src_strides[i];
            continue;
        }
        dims.push_back(shape[i]);
        dst.push_back(dst_strides[i]);
        src.push_back(src_strides[i]);
    }
    if (dims.empty()) {  // a single element
        run(0, 0, elem_size);
        return;
    }
    // The innermost merged dim is one run when it is dense in both tensors, else runs are single elements.
    size_t run_elems = 1;
    if (dst.back() == 1 && src.back() == 1) {
        run_elems = dims.back();
        dims.pop_back();
        dst.pop_back();
        src.pop_back();
    }
    std::vector<size_t> index(dims.size(), 0);
    ptrdiff_t dst_offset = 0, src_offset = 0;
    const auto esize = static_cast<ptrdiff_t>(elem_size);
    while (true) {
        run(dst_offset * esize, src_offset * esize, run_elems * elem_size);
        // Odometer increment over the outer dims.
        size_t d = dims.size();
        while (d > 0) {
            --d;
            if (++index[d] < dims[d]) {
                dst_offset += dst[d];
                src_offset += src[d];
                break;
            }
            dst_offset -= dst[d] * static_cast<ptrdiff_t>(dims[d] - 1);
            src_offset -= src[d] * static_cast<ptrdiff_t>(dims[d] - 1);
            index[d] = 0;
            if (d == 0) return;
        }
        if (dims.empty()) return;
    }
}

}  // namespace lite
