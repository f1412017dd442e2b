// The OpenCL kernels (kernels/*.cl, embedded at build time) and the C++ calls that launch them: one program per
// (context, device) built once per process and cached on disk (ClProgramCache), and one launch function per op
// family taking a queue, (buffer, byte offset) tensors and plain geometry. Every tensor is float32 (the data
// movement ops: any 4-byte element), dense and row-major; offsets are passed to the kernels as element offsets,
// so they need no sub-buffers and only 4-byte alignment. Launches are asynchronous: each returns the event of its
// (last) command; with the backend's in-order queue, later launches on the same queue need not wait for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/opencl/opencl_loader.h"
#include "backends/resize_modes.h"
#include "ops/op.h"

namespace lite::backend::opencl {

//! One embedded kernel source file (generated from kernels/*.cl by embed_kernels.cmake).
struct ClKernelSource {
    const char* name;
    const char* text;
};
extern const ClKernelSource kClKernelSources[];
extern const size_t kClKernelSourceCount;

//! The symbolic name of an OpenCL status ("CL_OUT_OF_RESOURCES"), or "CL error <n>".
std::string cl_status_name(cl_int status);
//! Throws Error(DeviceUnavailable) "OpenCL <what> failed: <status name>" unless status is CL_SUCCESS
//! (Error(OutOfMemory) for the out-of-memory statuses).
void cl_check(cl_int status, const std::string& what);

//! A tensor on the device: a buffer and a byte offset into it (a multiple of 4). A null buffer is "absent".
struct ClTensor {
    cl_mem buffer = nullptr;
    size_t offset = 0;
    bool present() const { return buffer != nullptr; }
};

//! An owned cl_event (released on destruction); empty when nothing was enqueued.
class ClEvent {
public:
    ClEvent() = default;
    explicit ClEvent(cl_event event) : m_event(event) {}
    ClEvent(ClEvent&& other) noexcept : m_event(std::exchange(other.m_event, nullptr)) {}
    ClEvent& operator=(ClEvent&& other) noexcept;
    ClEvent(const ClEvent&) = delete;
    ClEvent& operator=(const ClEvent&) = delete;
    ~ClEvent();
    cl_event get() const { return m_event; }
    //! Blocks until the command completes; throws Error(DeviceUnavailable) if it failed.
    void wait() const;

private:
    cl_event m_event = nullptr;
};

//! The built program of all kernels for one (context, device), with its kernel objects created on first use.
class ClProgram {
public:
    ClProgram(cl_context context, cl_device_id device, cl_program program);
    ~ClProgram();
    ClProgram(const ClProgram&) = delete;
    ClProgram& operator=(const ClProgram&) = delete;

    cl_context context() const { return m_context; }
    cl_device_id device() const { return m_device; }
    cl_program program() const { return m_program; }

    //! Runs fn(kernel, max_work_group_size) with the named kernel while holding the program's launch lock: a
    //! cl_kernel's arguments are shared state, so setting them and enqueueing must not interleave between threads.
    template <typename Fn>
    auto with_kernel(const char* name, Fn&& fn) {
        std::lock_guard<std::mutex> lock(m_mutex);
        const Entry& entry = kernel_locked(name);
        return fn(entry.kernel, entry.max_work_group);
    }

private:
    struct Entry {
        cl_kernel kernel = nullptr;
        size_t max_work_group = 1;
    };
    const Entry& kernel_locked(const char* name);

    cl_context m_context;
    cl_device_id m_device;
    cl_program m_program;
    std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_kernels;
};

//! How one ClProgramCache got its programs (for tests and the load-time benchmark).
struct ClCacheStats {
    int compiled = 0;  //!< built from source
    int loaded = 0;    //!< built from a cached binary
    int written = 0;   //!< cache files written
    int rejected = 0;  //!< cache files present but unusable (corrupt, truncated, refused by the driver)
};

//! Builds the program once per (context, device) and keeps it; binaries are cached in `directory` under a name
//! that hashes the device name, driver version, sources and build options, so a driver update or an edited
//! kernel never loads a stale binary. A cache file that cannot be used is ignored and rewritten; a cache
//! directory that cannot be written only costs the next process a compile.
class ClProgramCache {
public:
    //! `directory` "" disables the disk cache.
    explicit ClProgramCache(std::string directory = default_directory());
    ~ClProgramCache();
    ClProgramCache(const ClProgramCache&) = delete;
    ClProgramCache& operator=(const ClProgramCache&) = delete;

    //! The program for a device of `context`; built (or loaded) on the first call. Throws Error(Internal) with the
    //! build log when the kernels do not compile, Error(DeviceUnavailable) for other OpenCL failures.
    ClProgram& program(cl_context context, cl_device_id device);
    ClCacheStats stats() const;
    const std::string& directory() const { return m_directory; }
    //! The cache file a device's program is stored in ("" without a disk cache).
    std::string cache_file(cl_device_id device) const;

    //! $EDGELITE_CACHE_DIR, else $XDG_CACHE_HOME/edgelite, else $HOME/.cache/edgelite, else "" (no disk cache).
    static std::string default_directory();
    //! The process-wide cache in default_directory().
    static ClProgramCache& process();
    //! The build options every program is built with.
    static const char* build_options();

private:
    cl_program build(cl_context context, cl_device_id device);

    std::string m_directory;
    mutable std::mutex m_mutex;
    std::vector<std::pair<std::pair<cl_context, cl_device_id>, std::unique_ptr<ClProgram>>> m_programs;
    ClCacheStats m_stats;
};

//! Where a launch goes: the queue and the program of the queue's device; the commands wait for `wait_for`.
struct ClLaunch {
    cl_command_queue queue = nullptr;
    ClProgram* program = nullptr;
    std::vector<cl_event> wait_for;
};

// ---- Convolutions (NCHW; 1-D convolutions as H = 1) ----

//! The resolved geometry of a 2-D Conv or ConvTranspose (output sizes and leading pads already computed, e.g. by
//! ops::forward_window). Conv: W is (M, C/group, KH, KW); ConvTranspose: W is (C, M/group, KH, KW), pad_* crop.
struct Conv2dParams {
    int64_t n = 1, c = 1, h = 1, w = 1;  //!< input
    int64_t m = 1, oh = 1, ow = 1;       //!< output maps and size
    int64_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, pad_top = 0, pad_left = 0;
    int64_t group = 1;
    ops::Activation activation;  //!< fused after the bias (and residual)
};

//! Y = act(conv(X, W) + B + residual). `bias` (M) may be absent; `residual` (N, residual_maps, OH, OW), added to
//! the first residual_maps maps, may be absent (residual_maps 0). Picks the depthwise kernel for one input
//! channel per group and the tiled GEMM for 1x1 / stride 1 / no pad.
ClEvent conv2d(const ClLaunch& launch, const Conv2dParams& p, ClTensor x, ClTensor w, ClTensor bias, ClTensor y,
               ClTensor residual = {}, int64_t residual_maps = 0);
ClEvent conv_transpose2d(const ClLaunch& launch, const Conv2dParams& p, ClTensor x, ClTensor w, ClTensor bias,
                         ClTensor y);

// ---- Gemm / MatMul ----

//! Gemm: Y (M, N) = act(alpha * A' B' + beta * C); A is (M, K) or, with trans_a, (K, M); B likewise. C is absent
//! (c_shape empty) or unidirectionally broadcast to (M, N): shape [], [N], [1], [M, N], [1, N], [M, 1], [1, 1].
struct GemmParams {
    int64_t m = 1, n = 1, k = 1;
    bool trans_a = false, trans_b = false;
    float alpha = 1.f, beta = 1.f;
    ops::Shape c_shape;
    bool has_c = false;
    ops::Activation activation;
};
ClEvent gemm(const ClLaunch& launch, const GemmParams& p, ClTensor a, ClTensor b, ClTensor c, ClTensor y);

//! MatMul with numpy semantics (1-D operands, broadcast batch dims, up to 4 batch dims after merging); the
//! output shape is what ops' MatMul infers. Throws Error(InvalidArgument) for shapes that do not multiply.
ClEvent matmul(const ClLaunch& launch, const ops::Shape& a_shape, const ops::Shape& b_shape,
               const ops::Activation& activation, ClTensor a, ClTensor b, ClTensor y);

// ---- Elementwise ----

enum class ClBinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, PRelu = 4 };
//! Y = act(op(A, B)) with numpy broadcasting (ranks up to 6 after merging dims); Y has the broadcast shape.
//! PRelu: A is X and B the slope.
ClEvent binary(const ClLaunch& launch, ClBinaryOp op, const ops::Shape& a_shape, const ops::Shape& b_shape,
               ClTensor a, ClTensor b, ClTensor y, const ops::Activation& activation = {});
//! Y = act(X + bias[channel]) over `shape` with channels on axis 1 (`bias` may be absent: a plain activation,
//! Relu, Clip, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Tanh and the post-affine). Y may be X.
ClEvent bias_activation(const ClLaunch& launch, const ops::Shape& shape, ClTensor x, ClTensor bias, ClTensor y,
                        const ops::Activation& activation);

// ---- Pooling ----

//! 2-D pooling geometry: output sizes (ceil_mode already applied) and pads.
struct Pool2dParams {
    int64_t n = 1, c = 1, h = 1, w = 1, oh = 1, ow = 1;
    int64_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    bool count_include_pad = false;  //!< AveragePool only
};
ClEvent max_pool2d(const ClLaunch& launch, const Pool2dParams& p, ClTensor x, ClTensor y);
ClEvent average_pool2d(const ClLaunch& launch, const Pool2dParams& p, ClTensor x, ClTensor y);
//! The mean of each of `planes` planes of `plane_size` elements (GlobalAveragePool: planes = N * C).
ClEvent global_average_pool(const ClLaunch& launch, int64_t planes, int64_t plane_size, ClTensor x, ClTensor y);

// ---- Resize ----

//! A Resize over the last two axes of (planes..., H, W), as ops' Resize computes it (opset 11+ semantics).
struct ResizeParams {
    using Mode = ResizeMode;
    using Coord = ResizeCoord;
    using Nearest = ResizeNearest;
    Mode mode = Mode::Nearest;
    Coord coord = Coord::HalfPixel;
    Nearest nearest = Nearest::RoundPreferFloor;
    int64_t planes = 1, h = 1, w = 1, oh = 1, ow = 1;
    double scale_h = 1, scale_w = 1;  //!< as the op resolves them: the scales input, or output / input sizes
};

//! The tap tables of one Resize (made on the host in double precision, as the reference kernel does, and kept in
//! a device buffer): plan data, made once at load and reused by every run.
class ClResizePlan {
public:
    ClResizePlan(cl_context context, const ResizeParams& params);
    ~ClResizePlan();
    ClResizePlan(const ClResizePlan&) = delete;
    ClResizePlan& operator=(const ClResizePlan&) = delete;
    const ResizeParams& params() const { return m_params; }
    cl_mem taps() const { return m_taps; }
    int width_h() const { return m_width_h; }
    int width_w() const { return m_width_w; }
    //! Whether an axis of `size` elements that is not resized (scale 1) maps to itself under the params' mode and
    //! coordinate transform. The kernels resize the last two axes only: a Resize whose leading axes do not keep
    //! (tf_half_pixel_for_nn with round_prefer_ceil moves every index by one) must stay on the CPU.
    static bool keeps_axis(const ResizeParams& params, int64_t size);

private:
    ResizeParams m_params;
    cl_mem m_taps = nullptr;
    int m_width_h = 1, m_width_w = 1;
};
ClEvent resize(const ClLaunch& launch, const ClResizePlan& plan, ClTensor x, ClTensor y);

// ---- Along an axis ----

//! Softmax of `shape` along `axis` (opset 13 semantics).
ClEvent softmax(const ClLaunch& launch, const ops::Shape& shape, int64_t axis, ClTensor x, ClTensor y);
//! ReduceMean over the given (normalised, distinct) axes; Y holds the kept dims in order (keepdims does not
//! change the layout).
ClEvent reduce_mean(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& axes, ClTensor x,
                    ClTensor y);

// ---- Data movement (4-byte elements) ----

//! Concat along `axis` as one row copy per input into its slice of Y; returns the last copy's event.
ClEvent concat(const ClLaunch& launch, const std::vector<ops::Shape>& shapes, int64_t axis,
               const std::vector<ClTensor>& inputs, ClTensor y);
//! Transpose: output dim i is input dim perm[i].
ClEvent transpose(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& perm, ClTensor x,
                  ClTensor y);
//! Slice with resolved (clamped) per-dim starts and steps and the output shape, as ops' Slice resolves them.
ClEvent slice(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& starts,
              const std::vector<int64_t>& steps, const ops::Shape& out_shape, ClTensor x, ClTensor y);
enum class ClPadMode { Constant = 0, Reflect = 1, Edge = 2, Wrap = 3 };
//! Pad with per-dim leading pads `begins` (negative crops) to `out_shape`; `value_bits` is the constant's 4 bytes.
ClEvent pad(const ClLaunch& launch, const ops::Shape& shape, const std::vector<int64_t>& begins,
            const ops::Shape& out_shape, ClPadMode mode, uint32_t value_bits, ClTensor x, ClTensor y);

}  // namespace lite::backend::opencl
