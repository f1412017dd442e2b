// Helpers shared by the shape and data-movement ops (Reshape, Slice, Transpose, Pad, Gather, ...).
// Ops that only move data work on element bytes (dispatch_bytes), so they run on every dtype.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "lite/error.h"
#include "lite/layout.h"
#include "ops/elementwise.h"
#include "ops/op.h"

namespace lite::ops {

//! Calls fn(T{}) with an unsigned integer type of `size` bytes (1, 2, 4 or 8): for ops that only move data.
template <typename Fn>
void dispatch_bytes(size_t size, Fn&& fn) {
    switch (size) {
        case 1: fn(uint8_t{}); return;
        case 2: fn(uint16_t{}); return;
        case 4: fn(uint32_t{}); return;
        case 8: fn(uint64_t{}); return;
        default: throw Error(ErrorCode::Internal, "element size " + std::to_string(size) + " is not 1, 2, 4 or 8");
    }
}

//! Row-major strides of `shape`, in elements.
inline std::vector<int64_t> strides_of(const Shape& shape) {
    std::vector<int64_t> strides(shape.size());
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= shape[i];
    }
    return strides;
}

inline bool is_int_index(LiteDataType t) { return t == LITE_INT || t == LITE_INT64; }

//! The element count of a tensor that must hold one value (shape [] or [1]); fails otherwise.
inline void require_scalar(const InferContext& ctx, size_t i, const char* what) {
    if (numel(ctx.input_shape(i)) != 1) {
        ctx.fail(std::string(what) + " must be a scalar, got shape " + shape_str(ctx.input_shape(i)));
    }
}

//! An error at run time (values only known then), e.g. an index out of range.
[[noreturn]] inline void run_fail(const char* op, const std::string& why) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": " + why);
}

//! out[o_0, ..., o_n-1] = in[tables[0][o_0] + ... + tables[n-1][o_n-1]] (offsets in elements) for every output
//! index; the output shape is the tables' sizes. An entry < 0 writes `fill` (one element's bytes) instead:
//! Pad's constant mode. Covers Transpose, Slice, Expand, Tile, Pad and DepthToSpace.
inline void table_copy(const void* src, void* dst, size_t elem, const std::vector<std::vector<int64_t>>& tables,
                       const RunContext& ctx, const void* fill = nullptr) {
    const size_t rank = tables.size();
    int64_t total = 1;
    for (const auto& t : tables) total *= static_cast<int64_t>(t.size());
    if (total == 0) return;
    static const std::vector<int64_t> scalar_table{0};
    const std::vector<int64_t>& last = rank ? tables[rank - 1] : scalar_table;
    const int64_t inner = static_cast<int64_t>(last.size());
    const int64_t rows = total / inner;
    bool contiguous = true, padded = false;  // contiguous: the innermost table is 0, 1, 2, ... (rows are copies)
    for (int64_t i = 0; i < inner; ++i) {
        contiguous = contiguous && last[static_cast<size_t>(i)] == i;
        padded = padded || last[static_cast<size_t>(i)] < 0;
    }
    dispatch_bytes(elem, [&](auto zero) {
        using T = decltype(zero);
        const T* in = static_cast<const T*>(src);
        T* out = static_cast<T*>(dst);
        T pad{};
        if (fill) std::memcpy(&pad, fill, sizeof(T));
        const int64_t* t = last.data();
        ctx.parallel_for(rows, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                int64_t rem = row, base = 0;
                bool valid = true;
                for (size_t d = rank > 0 ? rank - 1 : 0; d-- > 0;) {
                    const auto& table = tables[d];
                    int64_t offset = table[static_cast<size_t>(rem % static_cast<int64_t>(table.size()))];
                    rem /= static_cast<int64_t>(table.size());
                    if (offset < 0) valid = false;
                    base += offset;
                }
                T* o = out + row * inner;
                if (!valid) {
                    for (int64_t i = 0; i < inner; ++i) o[i] = pad;
                } else if (contiguous) {
                    std::memcpy(o, in + base, static_cast<size_t>(inner) * sizeof(T));
                } else if (padded) {
                    const T* r = in + base;
                    for (int64_t i = 0; i < inner; ++i) o[i] = t[i] < 0 ? pad : r[t[i]];
                } else {
                    const T* r = in + base;
                    for (int64_t i = 0; i < inner; ++i) o[i] = r[t[i]];
                }
            }
        });
    });
}

//! Tables of a transpose: output dim d walks input dim perm[d] of `in_shape`.
inline std::vector<std::vector<int64_t>> transpose_tables(const Shape& in_shape, const std::vector<int64_t>& perm) {
    std::vector<int64_t> strides = strides_of(in_shape);
    std::vector<std::vector<int64_t>> tables(perm.size());
    for (size_t d = 0; d < perm.size(); ++d) {
        auto axis = static_cast<size_t>(perm[d]);
        tables[d].resize(static_cast<size_t>(in_shape[axis]));
        for (size_t o = 0; o < tables[d].size(); ++o) tables[d][o] = static_cast<int64_t>(o) * strides[axis];
    }
    return tables;
}

//! Output = input when the memory is not shared (ops that only change the shape: Reshape, Squeeze, ...).
inline void copy_unless_inplace(RunContext& ctx) {
    const TensorView& in = ctx.input(0);
    TensorView& out = ctx.output(0);
    if (out.data != in.data && in.nbytes()) std::memcpy(out.data, in.data, in.nbytes());
}

//! Writes `value` converted to dtype into `dst` (one element): fill values given as floats (Pad's value).
inline void store_scalar(double value, LiteDataType dtype, void* dst) {
    switch (dtype) {
        case LITE_FLOAT: { float v = static_cast<float>(value); std::memcpy(dst, &v, 4); break; }
        case LITE_HALF: { uint16_t v = float_to_half(static_cast<float>(value)); std::memcpy(dst, &v, 2); break; }
        case LITE_INT: { auto v = static_cast<int32_t>(value); std::memcpy(dst, &v, 4); break; }
        case LITE_INT64: { auto v = static_cast<int64_t>(value); std::memcpy(dst, &v, 8); break; }
        case LITE_INT16: { auto v = static_cast<int16_t>(value); std::memcpy(dst, &v, 2); break; }
        case LITE_UINT16: { auto v = static_cast<uint16_t>(value); std::memcpy(dst, &v, 2); break; }
        case LITE_UINT: { auto v = static_cast<uint32_t>(value); std::memcpy(dst, &v, 4); break; }
        case LITE_INT8: { auto v = static_cast<int8_t>(value); std::memcpy(dst, &v, 1); break; }
        case LITE_UINT8: { auto v = static_cast<uint8_t>(value); std::memcpy(dst, &v, 1); break; }
        case LITE_BOOL: { uint8_t v = value != 0; std::memcpy(dst, &v, 1); break; }
    }
}

//! ScatterElements' and ScatterND's `reduction`: how an update combines with the value it lands on.
enum class ScatterReduction { None, Add, Mul, Max, Min };

inline ScatterReduction parse_scatter_reduction(const Attributes& attributes) {
    std::string r = attributes.get_string("reduction", "none");
    if (r == "none") return ScatterReduction::None;
    if (r == "add") return ScatterReduction::Add;
    if (r == "mul") return ScatterReduction::Mul;
    if (r == "max") return ScatterReduction::Max;
    if (r == "min") return ScatterReduction::Min;
    attributes.fail("reduction '" + r + "' is not one of none, add, mul, max, min");
}

template <typename T>
inline T scatter_combine(T a, T b, ScatterReduction r) {
    switch (r) {
        case ScatterReduction::Add: return static_cast<T>(a + b);
        case ScatterReduction::Mul: return static_cast<T>(a * b);
        case ScatterReduction::Max: return a < b ? b : a;
        case ScatterReduction::Min: return b < a ? b : a;
        default: return b;
    }
}

//! Combines runs of `updates` into `out`, in order (later updates see earlier ones): visit(fn) calls
//! fn(out_offset, updates_offset, count) once per run, offsets in elements.
template <typename Visit>
void scatter_apply(LiteDataType dtype, ScatterReduction reduction, void* out, const void* updates, Visit visit) {
    if (reduction == ScatterReduction::None) {
        const size_t elem = dtype_size(dtype);
        visit([&](int64_t o, int64_t u, int64_t n) {
            std::memcpy(static_cast<uint8_t*>(out) + static_cast<size_t>(o) * elem,
                        static_cast<const uint8_t*>(updates) + static_cast<size_t>(u) * elem, static_cast<size_t>(n) * elem);
        });
    } else if (dtype == LITE_HALF) {
        auto* dst = static_cast<uint16_t*>(out);
        const auto* src = static_cast<const uint16_t*>(updates);
        visit([&](int64_t o, int64_t u, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
                dst[o + i] = float_to_half(scatter_combine(half_to_float(dst[o + i]), half_to_float(src[u + i]), reduction));
            }
        });
    } else if (dtype == LITE_BOOL) {  // add and max are "or", mul and min are "and"
        auto* dst = static_cast<uint8_t*>(out);
        const auto* src = static_cast<const uint8_t*>(updates);
        const bool any = reduction == ScatterReduction::Add || reduction == ScatterReduction::Max;
        visit([&](int64_t o, int64_t u, int64_t n) {
            for (int64_t i = 0; i < n; ++i) dst[o + i] = any ? (dst[o + i] || src[u + i]) : (dst[o + i] && src[u + i]);
        });
    } else {
        dispatch_numeric(dtype, [&](auto zero) {
            using T = decltype(zero);
            T* dst = static_cast<T*>(out);
            const T* src = static_cast<const T*>(updates);
            visit([&](int64_t o, int64_t u, int64_t n) {
                for (int64_t i = 0; i < n; ++i) dst[o + i] = scatter_combine(dst[o + i], src[u + i], reduction);
            });
        });
    }
}

}  // namespace lite::ops
