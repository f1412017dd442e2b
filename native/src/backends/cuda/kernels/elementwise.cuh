// Elementwise kernels over float32, one grid-stride thread per element: a unary activation chain (any
// ops::Activation, i.e. an activation followed by an affine y * scale + shift, so Relu/Clip/.../Mul-by-constant
// chains collapse into one launch) and the broadcasting binary arithmetic ops with an optional fused activation.
#pragma once

#include <vector>

#include "backends/cuda/kernels/common.cuh"

namespace lite::backend::cuda::kernels {

struct UnaryArgs {
    const float* x = nullptr;
    float* y = nullptr;  //!< may be x (in place)
    int64_t n = 0;
    Act act;
};

struct UnaryKernel {
    using Args = UnaryArgs;
    static constexpr const char* kName = "unary";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.n); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        for (int64_t i = at.global_x(); i < p.n; i += at.stride_x()) p.y[i] = p.act.apply(p.x[i]);
    }
};

enum class BinaryOp { Add, Sub, Mul, Div };

//! y = act(a op b) with numpy broadcasting over rank <= kMaxRank (after merging, see make_binary_args): dims are the
//! output's, a_strides/b_strides the inputs' element strides (0 on broadcast dims).
struct BinaryArgs {
    const float* a = nullptr;
    const float* b = nullptr;
    float* y = nullptr;
    BinaryOp op = BinaryOp::Add;
    int rank = 0;
    int64_t n = 0;
    int64_t dims[kMaxRank] = {}, a_strides[kMaxRank] = {}, b_strides[kMaxRank] = {};
    Act act;
};

EL_HD inline float binary_apply(BinaryOp op, float a, float b) {
    switch (op) {
        case BinaryOp::Add: return a + b;
        case BinaryOp::Sub: return a - b;
        case BinaryOp::Mul: return a * b;
        case BinaryOp::Div: return a / b;
    }
    return a;
}

struct BinaryKernel {
    using Args = BinaryArgs;
    static constexpr const char* kName = "binary";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.n); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        for (int64_t i = at.global_x(); i < p.n; i += at.stride_x()) {
            int64_t rem = i, oa = 0, ob = 0;
            for (int d = p.rank; d-- > 0;) {
                const int64_t idx = rem % p.dims[d];
                rem /= p.dims[d];
                oa += idx * p.a_strides[d];
                ob += idx * p.b_strides[d];
            }
            p.y[i] = p.act.apply(binary_apply(p.op, p.a[oa], p.b[ob]));
        }
    }
};

//! The broadcast geometry of a op b (numpy rules; the shapes must broadcast): size-1 dims dropped and adjacent dims
//! merged where both inputs are contiguous (or both broadcast) across them. False when more than kMaxRank dims remain.
inline bool make_binary_args(const std::vector<int64_t>& a_shape, const std::vector<int64_t>& b_shape, BinaryArgs& p) {
    const size_t rank = a_shape.size() > b_shape.size() ? a_shape.size() : b_shape.size();
    std::vector<int64_t> out(rank), sa(rank), sb(rank);
    int64_t stride_a = 1, stride_b = 1;
    for (size_t i = rank; i-- > 0;) {
        const size_t ia = i + a_shape.size(), ib = i + b_shape.size();
        const int64_t da = ia >= rank ? a_shape[ia - rank] : 1, db = ib >= rank ? b_shape[ib - rank] : 1;
        out[i] = da == 1 ? db : da;
        sa[i] = da == 1 ? 0 : stride_a;
        sb[i] = db == 1 ? 0 : stride_b;
        stride_a *= da;
        stride_b *= db;
    }
    p.n = 1;
    for (int64_t d : out) p.n *= d;
    p.rank = 0;
    for (size_t d = 0; d < rank; ++d) {
        if (out[d] == 1) continue;
        if (p.rank > 0 && p.a_strides[p.rank - 1] == sa[d] * out[d] && p.b_strides[p.rank - 1] == sb[d] * out[d]) {
            p.dims[p.rank - 1] *= out[d];
            p.a_strides[p.rank - 1] = sa[d];
            p.b_strides[p.rank - 1] = sb[d];
            continue;
        }
        if (p.rank == kMaxRank) return false;
        p.dims[p.rank] = out[d];
        p.a_strides[p.rank] = sa[d];
        p.b_strides[p.rank] = sb[d];
        ++p.rank;
    }
    return true;
}

}  // namespace lite::backend::cuda::kernels
