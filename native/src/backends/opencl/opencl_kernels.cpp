// The launch functions of the OpenCL kernels: geometry checked and flattened into kernel arguments here, so the
// kernels stay plain index math. Every kernel runs a 1-D grid of work-groups of one fixed size (rounded up and
// bounds-checked in the kernel), except the tiled GEMM (16x16) and the row reductions (one work-group per row):
// a compiler that specialises per work-group size (PoCL) then builds each kernel once.
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstring>

#include "backends/opencl/opencl_kernels.h"
#include "lite/error.h"

namespace lite::backend::opencl {
namespace {

const Api& cl() {
    const Api* api = opencl::api();
    if (!api) throw Error(ErrorCode::DeviceUnavailable, "OpenCL is not installed (libOpenCL.so.1 was not found)");
    return *api;
}

constexpr size_t kGroup1d = 64;     // work-group size of the elementwise-style kernels
constexpr size_t kGroupRows = 64;   // work-group size of the row reductions (softmax, global average pool)
constexpr size_t kGemmTile = 16;    // GEMM_TILE in gemm.cl

cl_int to_int(int64_t value, const char* kernel) {
    if (value < INT_MIN || value > INT_MAX) {
        throw Error(ErrorCode::NotSupported, std::string("OpenCL kernel ") + kernel + ": a size or offset of " +
                                                 std::to_string(value) + " elements does not fit the kernels' 32-bit indices");
    }
    return static_cast<cl_int>(value);
}

[[noreturn]] void bad_argument(const char* kernel, const std::string& why) {
    throw Error(ErrorCode::InvalidArgument, std::string("OpenCL kernel ") + kernel + ": " + why);
}

cl_int4 int4_of(int64_t a, int64_t b, int64_t c, int64_t d, const char* kernel) {
    cl_int4 v;
    v.s[0] = to_int(a, kernel), v.s[1] = to_int(b, kernel), v.s[2] = to_int(c, kernel), v.s[3] = to_int(d, kernel);
    return v;
}
cl_int2 int2_of(int64_t a, int64_t b, const char* kernel) {
    cl_int2 v;
    v.s[0] = to_int(a, kernel), v.s[1] = to_int(b, kernel);
    return v;
}
//! Up to 6 values right-aligned into an int8 (s0 outermost), the leading ones `fill`.
cl_int8 int8_of(const std::vector<int64_t>& values, int64_t fill, const char* kernel) {
    if (values.size() > 6) throw Error(ErrorCode::NotSupported, std::string("OpenCL kernel ") + kernel + " handles up to 6 dims");
    cl_int8 v;
    for (int& e : v.s) e = static_cast<int>(fill);
    const size_t lead = 6 - values.size();
    for (size_t i = 0; i < values.size(); ++i) v.s[lead + i] = to_int(values[i], kernel);
    v.s[6] = v.s[7] = 0;
    return v;
}

size_t floor_pow2(size_t v) {
    size_t p = 1;
    while (p * 2 <= v) p *= 2;
    return p;
}

//! Sets a kernel's arguments in order; a tensor is two arguments (buffer, element offset).
class Args {
public:
    Args(cl_kernel kernel, const char* name) : m_kernel(kernel), m_name(name) {}
    template <typename T>
    Args& operator()(const T& value) {
        set(sizeof(T), &value);
        return *this;
    }
    Args& tensor(ClTensor t) {
        if (t.offset % sizeof(float) != 0) {
            throw Error(ErrorCode::Internal, std::string("OpenCL kernel ") + m_name + ": byte offset " +
                                                 std::to_string(t.offset) + " is not a multiple of 4");
        }
        cl_mem buffer = t.buffer;
        set(sizeof(buffer), &buffer);
        const cl_int offset = to_int(static_cast<int64_t>(t.offset / sizeof(float)), m_name);
        set(sizeof(offset), &offset);
        return *this;
    }
    Args& activation(const ops::Activation& act) {
        const cl_int kind = static_cast<cl_int>(act.kind);
        cl_float8 p;
        p.s[0] = act.alpha, p.s[1] = act.beta, p.s[2] = act.min, p.s[3] = act.max;
        p.s[4] = act.scale, p.s[5] = act.shift, p.s[6] = 0.f, p.s[7] = 0.f;
        return (*this)(kind)(p);
    }
    Args& local(size_t bytes) {
        set(bytes, nullptr);
        return *this;
    }

private:
    void set(size_t size, const void* value) {
        cl_check(cl().clSetKernelArg(m_kernel, m_index, size, value),
                 std::string("clSetKernelArg(") + m_name + ", " + std::to_string(m_index) + ")");
        ++m_index;
    }
    cl_kernel m_kernel;
    const char* m_name;
    cl_uint m_index = 0;
};

ClEvent marker(const ClLaunch& launch) {
    cl_event event = nullptr;
    cl_check(cl().clEnqueueMarkerWithWaitList(launch.queue, static_cast<cl_uint>(launch.wait_for.size()),
                                              launch.wait_for.empty() ? nullptr : launch.wait_for.data(), &event),
             "clEnqueueMarkerWithWaitList");
    return ClEvent(event);
}

ClEvent enqueue(const ClLaunch& launch, cl_kernel kernel, const char* name, cl_uint dims, const size_t* global,
                const size_t* local) {
    cl_event event = nullptr;
    cl_check(cl().clEnqueueNDRangeKernel(launch.queue, kernel, dims, nullptr, global, local,
                                         static_cast<cl_uint>(launch.wait_for.size()),
                                         launch.wait_for.empty() ? nullptr : launch.wait_for.data(), &event),
             std::string("clEnqueueNDRangeKernel(") + name + ")");
    return ClEvent(event);
}

void require_launch(const ClLaunch& launch, const char* name) {
    if (!launch.queue || !launch.program) {
        throw Error(ErrorCode::Internal, std::string("OpenCL kernel ") + name + " launched without a queue or program");
    }
}

//! A 1-D grid over `count` items: set(args) sets the arguments.
template <typename SetArgs>
ClEvent launch_1d(const ClLaunch& launch, const char* name, int64_t count, SetArgs&& set) {
    require_launch(launch, name);
    if (count <= 0) return marker(launch);
    to_int(count, name);
    return launch.program->with_kernel(name, [&](cl_kernel kernel, size_t max_group) {
        Args args(kernel, name);
        set(args);
        const size_t local = floor_pow2(std::min(kGroup1d, max_group));
        const size_t global = (static_cast<size_t>(count) + local - 1) / local * local;
        return enqueue(launch, kernel, name, 1, &global, &local);
    });
}

//! One work-group per row: set(args, group_size) sets the arguments (local scratch sized by group_size).
template <typename SetArgs>
ClEvent launch_rows(const ClLaunch& launch, const char* name, int64_t rows, SetArgs&& set) {
    require_launch(launch, name);
    if (rows <= 0) return marker(launch);
    to_int(rows, name);
    return launch.program->with_kernel(name, [&](cl_kernel kernel, size_t max_group) {
        const size_t local = floor_pow2(std::min(kGroupRows, max_group));
        Args args(kernel, name);
        set(args, local);
        const size_t global = static_cast<size_t>(rows) * local;
        return enqueue(launch, kernel, name, 1, &global, &local);
    });
}

// ---- GEMM geometry shared by Gemm, MatMul and Conv 1x1 ----

struct GemmGeometry {
    int64_t m = 1, n = 1, k = 1;
    int64_t a_row = 0, a_col = 0, b_row = 0, b_col = 0, c_row = 0, c_col = 0, y_row = 0;
    std::array<int64_t, 4> batch{1, 1, 1, 1}, a_batch{0, 0, 0, 0}, b_batch{0, 0, 0, 0}, c_batch{0, 0, 0, 0},
            y_batch{0, 0, 0, 0};
    float alpha = 1.f, beta = 1.f;
};

ClEvent launch_gemm(const ClLaunch& launch, const GemmGeometry& g, ClTensor a, ClTensor b, ClTensor c, ClTensor y,
                    const ops::Activation& act) {
    const char* name = "gemm";
    require_launch(launch, name);
    const int64_t batches = g.batch[0] * g.batch[1] * g.batch[2] * g.batch[3];
    if (g.m <= 0 || g.n <= 0 || batches <= 0) return marker(launch);
    return launch.program->with_kernel(name, [&](cl_kernel kernel, size_t max_group) {
        if (max_group < kGemmTile * kGemmTile) {
            throw Error(ErrorCode::NotSupported, "OpenCL kernel gemm needs work-groups of 256 items; this device allows " +
                                                     std::to_string(max_group));
        }
        Args args(kernel, name);
        cl_float2 alpha_beta;
        alpha_beta.s[0] = g.alpha, alpha_beta.s[1] = g.beta;
        const cl_int has_c = c.present() ? 1 : 0;
        args.tensor(a)(int2_of(g.a_row, g.a_col, name)).tensor(b)(int2_of(g.b_row, g.b_col, name));
        args.tensor(c)(int2_of(g.c_row, g.c_col, name))(has_c).tensor(y)(to_int(g.y_row, name));
        args(int4_of(g.m, g.n, g.k, 0, name))(alpha_beta);
        args(int4_of(g.batch[0], g.batch[1], g.batch[2], g.batch[3], name));
        args(int4_of(g.a_batch[0], g.a_batch[1], g.a_batch[2], g.a_batch[3], name));
        args(int4_of(g.b_batch[0], g.b_batch[1], g.b_batch[2], g.b_batch[3], name));
        args(int4_of(g.c_batch[0], g.c_batch[1], g.c_batch[2], g.c_batch[3], name));
        args(int4_of(g.y_batch[0], g.y_batch[1], g.y_batch[2], g.y_batch[3], name));
        args.activation(act);
        const size_t global[3] = {(static_cast<size_t>(g.n) + kGemmTile - 1) / kGemmTile * kGemmTile,
                                  (static_cast<size_t>(g.m) + kGemmTile - 1) / kGemmTile * kGemmTile,
                                  static_cast<size_t>(to_int(batches, name))};
        const size_t local[3] = {kGemmTile, kGemmTile, 1};
        return enqueue(launch, kernel, name, 3, global, local);
    });
}

std::vector<int64_t> contiguous_strides(const ops::Shape& shape) {
    std::vector<int64_t> strides(shape.size());
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= shape[i];
    }
    return strides;
}

//! Strides of `shape` read as `out` (right-aligned numpy broadcast): 0 on broadcast dims.
std::vector<int64_t> broadcast_strides(const ops::Shape& shape, const ops::Shape& out) {
    std::vector<int64_t> strides(out.size(), 0);
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i + out.size() - shape.size()] = shape[i] == 1 ? 0 : stride;
        stride *= shape[i];
    }
    return strides;
}

//! Drops dims of size 1 and merges a dim into the one outside it when every stride list is contiguous across
//! the pair; keeps at least one dim.
void merge_dims(std::vector<int64_t>& dims, std::vector<std::vector<int64_t>*> strides) {
    std::vector<int64_t> out_dims;
    std::vector<std::vector<int64_t>> out_strides(strides.size());
    for (size_t d = 0; d < dims.size(); ++d) {
        if (dims[d] == 1) continue;
        bool merge = !out_dims.empty();
        for (size_t s = 0; merge && s < strides.size(); ++s) merge = out_strides[s].back() == (*strides[s])[d] * dims[d];
        if (merge) {
            out_dims.back() *= dims[d];
            for (size_t s = 0; s < strides.size(); ++s) out_strides[s].back() = (*strides[s])[d];
        } else {
            out_dims.push_back(dims[d]);
            for (size_t s = 0; s < strides.size(); ++s) out_strides[s].push_back((*strides[s])[d]);
        }
    }
    if (out_dims.empty()) {
        out_dims.push_back(1);
        for (auto& s : out_strides) s.push_back(0);
    }
    dims = out_dims;
    for (size_t s = 0; s < strides.size(); ++s) *strides[s] = out_strides[s];
}

void check_conv(const Conv2dParams& p, const char* name) {
    const bool ok = p.n > 0 && p.c > 0 && p.h > 0 && p.w > 0 && p.m > 0 && p.oh > 0 && p.ow > 0 && p.kh > 0 &&
                    p.kw > 0 && p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 && p.dilation_w > 0 &&
                    p.group > 0 && p.c % p.group == 0 && p.m % p.group == 0;
    if (!ok) bad_argument(name, "invalid geometry (sizes, strides and dilations must be positive, C and M divisible by group)");
}

}  // namespace

ClEvent& ClEvent::operator=(ClEvent&& other) noexcept {
    if (this != &other) {
        if (m_event) opencl::api()->clReleaseEvent(m_event);
        m_event = std::exchange(other.m_event, nullptr);
    }
    return *this;
}

ClEvent::~ClEvent() {
    if (m_event) opencl::api()->clReleaseEvent(m_event);
}

void ClEvent::wait() const {
    if (m_event) cl_check(cl().clWaitForEvents(1, &m_event), "clWaitForEvents");
}

// ---- Convolutions ----

ClEvent conv2d(const ClLaunch& launch, const Conv2dParams& p, ClTensor x, ClTensor w, ClTensor bias, ClTensor y,
               ClTensor residual, int64_t residual_maps) {
    check_conv(p, "conv2d");
    if (residual_maps < 0 || residual_maps > p.m || (residual_maps > 0 && !residual.present())) {
        bad_argument("conv2d", "residual_maps " + std::to_string(residual_maps) + " must be in [0, M] with a residual tensor");
    }
    const int64_t gc = p.c / p.group, gm = p.m / p.group, plane = p.oh * p.ow;
    const bool pointwise = p.kh == 1 && p.kw == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
                           p.pad_left == 0 && p.oh == p.h && p.ow == p.w;
    // 1x1: per (batch, group), Y (gm, HW) = W (gm, gc) X (gc, HW), the bias (or a full residual) as C.
    if (pointwise && gc > 1 && (residual_maps == 0 || (!bias.present() && residual_maps == p.m))) {
        GemmGeometry g;
        g.m = gm, g.n = plane, g.k = gc;
        g.a_row = gc, g.a_col = 1, g.b_row = plane, g.b_col = 1, g.y_row = plane;
        g.batch = {1, 1, p.n, p.group};
        g.a_batch = {0, 0, 0, gm * gc};
        g.b_batch = {0, 0, p.c * plane, gc * plane};
        g.y_batch = {0, 0, p.m * plane, gm * plane};
        ClTensor c = bias;
        if (residual_maps > 0) {
            c = residual;
            g.c_row = plane, g.c_col = 1, g.c_batch = g.y_batch;
        } else {
            g.c_row = 1, g.c_col = 0, g.c_batch = {0, 0, 0, gm};
        }
        return launch_gemm(launch, g, w, x, c, y, p.activation);
    }
    const char* name = gc == 1 ? "depthwise_conv2d" : "conv2d";
    const int64_t count = p.n * p.m * plane;
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(w).tensor(bias)(cl_int(bias.present() ? 1 : 0));
        args.tensor(residual)(to_int(residual_maps, name)).tensor(y);
        args(int4_of(p.c, p.h, p.w, p.group, name))(int4_of(p.m, p.oh, p.ow, count, name));
        args(int4_of(p.kh, p.kw, p.stride_h, p.stride_w, name))(int4_of(p.pad_top, p.pad_left, p.dilation_h, p.dilation_w, name));
        args.activation(p.activation);
    });
}

ClEvent conv_transpose2d(const ClLaunch& launch, const Conv2dParams& p, ClTensor x, ClTensor w, ClTensor bias,
                         ClTensor y) {
    const char* name = "conv_transpose2d";
    check_conv(p, name);
    const int64_t count = p.n * p.m * p.oh * p.ow;
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(w).tensor(bias)(cl_int(bias.present() ? 1 : 0)).tensor(y);
        args(int4_of(p.c, p.h, p.w, p.group, name))(int4_of(p.m, p.oh, p.ow, count, name));
        args(int4_of(p.kh, p.kw, p.stride_h, p.stride_w, name))(int4_of(p.pad_top, p.pad_left, p.dilation_h, p.dilation_w, name));
        args.activation(p.activation);
    });
}

// ---- Gemm / MatMul ----

ClEvent gemm(const ClLaunch& launch, const GemmParams& p, ClTensor a, ClTensor b, ClTensor c, ClTensor y) {
    GemmGeometry g;
    g.m = p.m, g.n = p.n, g.k = p.k, g.alpha = p.alpha, g.beta = p.beta;
    g.a_row = p.trans_a ? 1 : p.k, g.a_col = p.trans_a ? p.m : 1;
    g.b_row = p.trans_b ? 1 : p.n, g.b_col = p.trans_b ? p.k : 1;
    g.y_row = p.n;
    const ops::Shape& cs = p.c_shape;
    if (p.has_c) {
        if (cs.size() > 2 || (cs.size() == 2 && ((cs[0] != 1 && cs[0] != p.m) || (cs[1] != 1 && cs[1] != p.n))) ||
            (cs.size() == 1 && cs[0] != 1 && cs[0] != p.n)) {
            bad_argument("gemm", "C " + ops::shape_str(cs) + " does not broadcast to [" + std::to_string(p.m) + "," +
                                         std::to_string(p.n) + "]");
        }
        if (cs.size() == 2) g.c_row = cs[0] == 1 ? 0 : cs[1], g.c_col = cs[1] == 1 ? 0 : 1;
        if (cs.size() == 1) g.c_col = cs[0] == 1 ? 0 : 1;
    }
    return launch_gemm(launch, g, a, b, p.has_c ? c : ClTensor{}, y, p.activation);
}

ClEvent matmul(const ClLaunch& launch, const ops::Shape& as, const ops::Shape& bs, const ops::Activation& activation,
               ClTensor a, ClTensor b, ClTensor y) {
    if (as.empty() || bs.empty()) bad_argument("gemm", "MatMul inputs must have rank 1 or more");
    const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
    GemmGeometry g;
    g.m = a_vec ? 1 : as[as.size() - 2];
    g.k = as.back();
    g.n = b_vec ? 1 : bs.back();
    if ((b_vec ? bs[0] : bs[bs.size() - 2]) != g.k) {
        bad_argument("gemm", "MatMul inner dims differ: " + ops::shape_str(as) + " x " + ops::shape_str(bs));
    }
    const ops::Shape a_batch = a_vec ? ops::Shape{} : ops::Shape(as.begin(), as.end() - 2);
    const ops::Shape b_batch = b_vec ? ops::Shape{} : ops::Shape(bs.begin(), bs.end() - 2);
    const size_t rank = std::max(a_batch.size(), b_batch.size());
    std::vector<int64_t> batch(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t da = i < rank - a_batch.size() ? 1 : a_batch[i - (rank - a_batch.size())];
        const int64_t db = i < rank - b_batch.size() ? 1 : b_batch[i - (rank - b_batch.size())];
        if (da != db && da != 1 && db != 1) bad_argument("gemm", "MatMul batch dims of " + ops::shape_str(as) + " and " + ops::shape_str(bs) + " do not broadcast");
        batch[i] = da == 1 ? db : da;
    }
    std::vector<int64_t> sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
    std::vector<int64_t> sy = contiguous_strides(batch);
    for (auto& s : sa) s *= g.m * g.k;
    for (auto& s : sb) s *= g.k * g.n;
    for (auto& s : sy) s *= g.m * g.n;
    merge_dims(batch, {&sa, &sb, &sy});
    if (batch.size() > 4) throw Error(ErrorCode::NotSupported, "OpenCL kernel gemm: MatMul with more than 4 batch dims after merging");
    const size_t lead = 4 - batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
        g.batch[lead + i] = batch[i], g.a_batch[lead + i] = sa[i], g.b_batch[lead + i] = sb[i], g.y_batch[lead + i] = sy[i];
    }
    g.a_row = g.k, g.a_col = 1, g.b_row = g.n, g.b_col = 1, g.y_row = g.n;
    return launch_gemm(launch, g, a, b, ClTensor{}, y, activation);
}

// ---- Elementwise ----

ClEvent binary(const ClLaunch& launch, ClBinaryOp op, const ops::Shape& as, const ops::Shape& bs, ClTensor a,
               ClTensor b, ClTensor y, const ops::Activation& activation) {
    const char* name = "binary";
    const size_t rank = std::max(as.size(), bs.size());
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t da = i < rank - as.size() ? 1 : as[i - (rank - as.size())];
        const int64_t db = i < rank - bs.size() ? 1 : bs[i - (rank - bs.size())];
        if (da != db && da != 1 && db != 1) bad_argument(name, ops::shape_str(as) + " and " + ops::shape_str(bs) + " do not broadcast");
        out[i] = da == 1 ? db : da;
    }
    const int64_t count = ops::numel(out);
    std::vector<int64_t> sa = broadcast_strides(as, out), sb = broadcast_strides(bs, out);
    merge_dims(out, {&sa, &sb});
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(a).tensor(b).tensor(y)(cl_int(op))(to_int(count, name));
        args(int8_of(out, 1, name))(int8_of(sa, 0, name))(int8_of(sb, 0, name)).activation(activation);
    });
}

ClEvent bias_activation(const ClLaunch& launch, const ops::Shape& shape, ClTensor x, ClTensor bias, ClTensor y,
                        const ops::Activation& activation) {
    const char* name = "bias_activation";
    const int64_t count = ops::numel(shape);
    int64_t channels = 1, inner = 1;
    if (bias.present()) {
        if (shape.size() < 2) bad_argument(name, "a bias needs a shape with channels on axis 1, got " + ops::shape_str(shape));
        channels = shape[1];
        for (size_t d = 2; d < shape.size(); ++d) inner *= shape[d];
    }
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(bias)(cl_int(bias.present() ? 1 : 0)).tensor(y);
        args(to_int(count, name))(to_int(channels, name))(to_int(inner, name)).activation(activation);
    });
}

// ---- Pooling ----

namespace {
ClEvent pool2d(const ClLaunch& launch, const char* name, const Pool2dParams& p, ClTensor x, ClTensor y) {
    if (p.kh <= 0 || p.kw <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 || p.dilation_w <= 0) {
        bad_argument(name, "kernel sizes, strides and dilations must be positive");
    }
    const int64_t count = p.n * p.c * p.oh * p.ow;
    const bool average = std::strcmp(name, "avg_pool2d") == 0;
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(y)(to_int(count, name))(int4_of(p.h, p.w, p.oh, p.ow, name));
        args(int4_of(p.kh, p.kw, p.stride_h, p.stride_w, name))(int4_of(p.pad_top, p.pad_left, p.dilation_h, p.dilation_w, name));
        if (average) args(int2_of(p.pad_bottom, p.pad_right, name))(cl_int(p.count_include_pad ? 1 : 0));
    });
}
}  // namespace

ClEvent max_pool2d(const ClLaunch& launch, const Pool2dParams& p, ClTensor x, ClTensor y) {
    return pool2d(launch, "max_pool2d", p, x, y);
}

ClEvent average_pool2d(const ClLaunch& launch, const Pool2dParams& p, ClTensor x, ClTensor y) {
    return pool2d(launch, "avg_pool2d", p, x, y);
}

ClEvent global_average_pool(const ClLaunch& launch, int64_t planes, int64_t plane_size, ClTensor x, ClTensor y) {
    const char* name = "global_avg_pool";
    if (plane_size <= 0) bad_argument(name, "planes must not be empty");
    return launch_rows(launch, name, planes, [&](Args& args, size_t group) {
        args.tensor(x).tensor(y)(to_int(plane_size, name)).local(group * sizeof(float));
    });
}

// ---- Resize ----

namespace {
//! The taps of one axis from `in` to `out` elements: (index, weight bits) pairs, `width` per output index.
std::vector<cl_int> axis_taps(const ResizeParams& p, int64_t in, int64_t out, double scale, int& width) {
    using P = ResizeParams;
    const bool nearest = p.mode == P::Mode::Nearest;
    width = nearest ? 1 : 2;  // linear: taps at i0 and i0 + 1, i0 the element left of x
    std::vector<cl_int> taps(static_cast<size_t>(2 * out * width));
    const double length = static_cast<double>(in), out_width = scale * length;
    for (int64_t j = 0; j < out; ++j) {
        const double x = static_cast<double>(j);
        double x_ori = 0;
        switch (p.coord) {
            case P::Coord::HalfPixel: x_ori = (x + 0.5) / scale - 0.5; break;
            case P::Coord::PytorchHalfPixel: x_ori = out_width == 1 ? -0.5 : (x + 0.5) / scale - 0.5; break;
            case P::Coord::AlignCorners: x_ori = out_width == 1 ? 0.0 : x * (length - 1) / (out_width - 1); break;
            case P::Coord::Asymmetric: x_ori = x / scale; break;
            case P::Coord::TfHalfPixelForNn: x_ori = (x + 0.5) / scale; break;
        }
        cl_int* t = &taps[static_cast<size_t>(2 * j * width)];
        const double floor_x = std::floor(x_ori);
        double ratio = x_ori - floor_x;
        int64_t i0 = static_cast<int64_t>(floor_x);
        if (nearest) {
            int64_t i = i0;
            switch (p.nearest) {
                case P::Nearest::Simple: i = scale < 1 ? static_cast<int64_t>(std::ceil(x_ori)) : i0; break;
                case P::Nearest::RoundPreferFloor: i = ratio <= 0.5 ? i0 : i0 + 1; break;
                case P::Nearest::RoundPreferCeil: i = ratio < 0.5 ? i0 : i0 + 1; break;
                case P::Nearest::Floor: i = i0; break;
                case P::Nearest::Ceil: i = ratio == 0 ? i0 : i0 + 1; break;
            }
            const float one = 1.f;
            t[0] = static_cast<cl_int>(std::clamp<int64_t>(i, 0, in - 1));
            std::memcpy(&t[1], &one, sizeof(float));
            continue;
        }
        // As the reference: at an integer x, the element left of it with ratio 1.
        if (ratio == 0) {
            i0 -= 1;
            ratio = 1;
        }
        const double coeff[2] = {std::max(0.0, 1 - std::fabs(-ratio)), std::max(0.0, 1 - std::fabs(1 - ratio))};
        const double sum = coeff[0] + coeff[1];
        for (int u = 0; u < 2; ++u) {
            const float weight = static_cast<float>(sum != 0 ? coeff[u] / sum : 0.0);
            t[2 * u] = static_cast<cl_int>(std::clamp<int64_t>(i0 + u, 0, in - 1));
            std::memcpy(&t[2 * u + 1], &weight, sizeof(float));
        }
    }
    return taps;
}
}  // namespace

ClResizePlan::ClResizePlan(cl_context context, const ResizeParams& params) : m_params(params) {
    const char* name = "resize";
    if (params.h <= 0 || params.w <= 0 || params.oh < 0 || params.ow < 0 || !(params.scale_h > 0) || !(params.scale_w > 0)) {
        bad_argument(name, "invalid geometry (empty input or non-positive scale)");
    }
    std::vector<cl_int> taps = axis_taps(params, params.h, params.oh, params.scale_h, m_width_h);
    const std::vector<cl_int> cols = axis_taps(params, params.w, params.ow, params.scale_w, m_width_w);
    taps.insert(taps.end(), cols.begin(), cols.end());
    taps.push_back(0);  // never an empty buffer
    cl_int status = CL_SUCCESS;
    m_taps = cl().clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, taps.size() * sizeof(cl_int),
                                 taps.data(), &status);
    cl_check(status, "clCreateBuffer(resize taps)");
}

bool ClResizePlan::keeps_axis(const ResizeParams& params, int64_t size) {
    int width = 1;
    const std::vector<cl_int> taps = axis_taps(params, size, size, 1.0, width);
    for (int64_t j = 0; j < size; ++j) {
        float total = 0.f;
        for (int t = 0; t < width; ++t) {
            const cl_int* tap = &taps[static_cast<size_t>(2 * (j * width + t))];
            float weight = 0.f;
            std::memcpy(&weight, &tap[1], sizeof(float));
            if (weight != 0.f && (tap[0] != j || weight != 1.f)) return false;
            total += weight;
        }
        if (total != 1.f) return false;
    }
    return true;
}

ClResizePlan::~ClResizePlan() {
    if (m_taps) opencl::api()->clReleaseMemObject(m_taps);
}

ClEvent resize(const ClLaunch& launch, const ClResizePlan& plan, ClTensor x, ClTensor y) {
    const ResizeParams& p = plan.params();
    const bool nearest = p.mode == ResizeParams::Mode::Nearest;
    const char* name = nearest ? "resize_nearest" : "resize_linear";
    const int64_t count = p.planes * p.oh * p.ow;
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(y)(to_int(count, name))(plan.taps())(int4_of(p.h, p.w, p.oh, p.ow, name));
        if (!nearest) args(int2_of(plan.width_h(), plan.width_w(), name));
    });
}

// ---- Along an axis ----

ClEvent softmax(const ClLaunch& launch, const ops::Shape& shape, int64_t axis, ClTensor x, ClTensor y) {
    const char* name = "softmax";
    const int64_t rank = static_cast<int64_t>(shape.size());
    if (axis < -rank || axis >= rank) bad_argument(name, "axis " + std::to_string(axis) + " is out of range for " + ops::shape_str(shape));
    if (axis < 0) axis += rank;
    int64_t outer = 1, n = shape[static_cast<size_t>(axis)], inner = 1;
    for (int64_t d = 0; d < rank; ++d) {
        if (d < axis) outer *= shape[static_cast<size_t>(d)];
        if (d > axis) inner *= shape[static_cast<size_t>(d)];
    }
    if (n == 0) return marker(launch);
    return launch_rows(launch, name, outer * inner, [&](Args& args, size_t group) {
        args.tensor(x).tensor(y)(to_int(n, name))(to_int(inner, name)).local(group * sizeof(float));
    });
}

ClEvent reduce_mean(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& axes, ClTensor x,
                    ClTensor y) {
    const char* name = "reduce_mean";
    std::vector<bool> reduced(shape.size(), false);
    for (int64_t a : axes) {
        if (a < 0 || a >= static_cast<int64_t>(shape.size()) || reduced[static_cast<size_t>(a)]) {
            bad_argument(name, "axes must be distinct and in [0, rank)");
        }
        reduced[static_cast<size_t>(a)] = true;
    }
    const std::vector<int64_t> strides = contiguous_strides(shape);
    std::vector<int64_t> kept, kept_st, red, red_st;
    int64_t count = 1, red_count = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
        auto& dims = reduced[d] ? red : kept;
        auto& st = reduced[d] ? red_st : kept_st;
        (reduced[d] ? red_count : count) *= shape[d];
        if (shape[d] == 1) continue;
        dims.push_back(shape[d]);
        st.push_back(strides[d]);
    }
    merge_dims(kept, {&kept_st});
    merge_dims(red, {&red_st});
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(y)(to_int(count, name))(int8_of(kept, 1, name))(int8_of(kept_st, 0, name));
        args(int8_of(red, 1, name))(int8_of(red_st, 0, name))(to_int(red_count, name));
    });
}

// ---- Data movement ----

ClEvent concat(const ClLaunch& launch, const std::vector<ops::Shape>& shapes, int64_t axis,
               const std::vector<ClTensor>& inputs, ClTensor y) {
    const char* name = "copy_rows";
    if (shapes.empty() || shapes.size() != inputs.size()) bad_argument(name, "Concat needs one shape per input");
    const int64_t rank = static_cast<int64_t>(shapes[0].size());
    if (axis < -rank || axis >= rank) bad_argument(name, "Concat axis " + std::to_string(axis) + " is out of range");
    const size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    int64_t outer = 1, inner = 1, total = 0;
    for (size_t d = 0; d < shapes[0].size(); ++d) {
        if (d < a) outer *= shapes[0][d];
        if (d > a) inner *= shapes[0][d];
    }
    for (const ops::Shape& s : shapes) total += s[a];
    const int64_t out_row = total * inner;
    ClEvent last;
    int64_t start = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const int64_t row = shapes[i][a] * inner;
        const ClTensor dst{y.buffer, y.offset + static_cast<size_t>(start) * sizeof(float)};
        last = launch_1d(launch, name, outer * row, [&](Args& args) {
            args.tensor(inputs[i])(to_int(row, name)).tensor(dst)(to_int(out_row, name))(to_int(row, name));
            args(to_int(outer * row, name));
        });
        start += row;
    }
    return last;
}

ClEvent transpose(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& perm, ClTensor x,
                  ClTensor y) {
    const char* name = "gather_strided";
    if (perm.size() != shape.size()) bad_argument(name, "Transpose perm does not match the rank of " + ops::shape_str(shape));
    const std::vector<int64_t> strides = contiguous_strides(shape);
    std::vector<int64_t> dims, st;
    for (int64_t p : perm) {
        if (p < 0 || p >= static_cast<int64_t>(shape.size())) bad_argument(name, "Transpose perm is not a permutation");
        dims.push_back(shape[static_cast<size_t>(p)]);
        st.push_back(strides[static_cast<size_t>(p)]);
    }
    const int64_t count = ops::numel(dims);
    merge_dims(dims, {&st});
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(y)(to_int(count, name))(int8_of(dims, 1, name))(int8_of(st, 0, name));
    });
}

ClEvent slice(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& starts,
              const std::vector<int64_t>& steps, const ops::Shape& out_shape, ClTensor x, ClTensor y) {
    const char* name = "gather_strided";
    if (starts.size() != shape.size() || steps.size() != shape.size() || out_shape.size() != shape.size()) {
        bad_argument(name, "Slice needs a start, a step and an output dim per input dim");
    }
    const std::vector<int64_t> strides = contiguous_strides(shape);
    std::vector<int64_t> dims = out_shape, st(shape.size());
    int64_t first = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
        st[d] = strides[d] * steps[d];
        if (out_shape[d] > 0) first += starts[d] * strides[d];
    }
    const int64_t count = ops::numel(dims);
    merge_dims(dims, {&st});
    const ClTensor src{x.buffer, x.offset + static_cast<size_t>(first) * sizeof(float)};
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(src).tensor(y)(to_int(count, name))(int8_of(dims, 1, name))(int8_of(st, 0, name));
    });
}

ClEvent pad(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& begins,
            const ops::Shape& out_shape, ClPadMode mode, uint32_t value_bits, ClTensor x, ClTensor y) {
    const char* name = "pad";
    if (begins.size() != shape.size() || out_shape.size() != shape.size()) bad_argument(name, "Pad needs a begin and an output dim per input dim");
    if (mode != ClPadMode::Constant) {
        for (size_t d = 0; d < shape.size(); ++d) {
            if (shape[d] == 0 && out_shape[d] > 0) bad_argument(name, "cannot pad an empty dim in a mode other than constant");
        }
    }
    const int64_t count = ops::numel(out_shape);
    return launch_1d(launch, name, count, [&](Args& args) {
        args.tensor(x).tensor(y)(to_int(count, name))(int8_of(out_shape, 1, name))(int8_of(shape, 1, name));
        args(int8_of(begins, 0, name))(int8_of(contiguous_strides(shape), 0, name))(cl_int(mode))(cl_uint(value_bits));
    });
}

}  // namespace lite::backend::opencl
