// Walks two same-shaped strided tensors as runs of bytes that are contiguous in both, so that a copy between
// views becomes a few large copies (one when both are contiguous) instead of one per element.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace lite {

//! Calls run(dst_byte_offset, src_byte_offset, bytes) for each run. Strides are in elements; offsets in bytes
//! are relative to each tensor's first element. A zero-element shape produces no runs.
void for_each_run(const std::vector<size_t>& shape, const std::vector<ptrdiff_t>& dst_strides,
                  const std::vector<ptrdiff_t>& src_strides, size_t elem_size,
                  const std::function<void(ptrdiff_t, ptrdiff_t, size_t)>& run);

//! Row-major strides of a dense shape.
std::vector<ptrdiff_t> contiguous_strides(const std::vector<size_t>& shape);

}  // namespace lite
