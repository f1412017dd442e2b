// Conv on the CPU backend: 1-D and 2-D float32 convolutions in NCHW.
//   depthwise (group == C == M):  per channel plane, from zero-padded stride-phase copies of the input plane (see
//                                 DepthwiseGrid), taps vectorised across output rows (simd depthwise_row; 3x3
//                                 stride 1 two rows at a time) or, for narrow planes, across the whole plane
//   1x1, stride 1, no padding:    a direct GEMM W (M x C) · X (C x HW) per image and group, no im2col
//   3x3, stride 1, ungrouped:     Winograd F(4x4, 3x3) (winograd.cpp) when large enough (winograd_applies)
//   anything else:                GEMM with B packed straight from the image (im2col, block by block); strided
//                                 convs read an image whose columns are split by stride phase
// Weights are packed into GEMM panels once when they are constants. Bias and the fused activation are applied in
// the epilogue. 3-D convolutions run the reference kernel.
#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>

#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "backends/cpu/winograd.h"
#include "ops/conv_common.h"

namespace lite::backend::cpu {
namespace {

int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }

// 2-D geometry of a run (1-D convs have H = 1).
struct Geometry {
    int64_t batch, channels, maps, group;
    int64_t h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
    int64_t group_channels() const { return channels / group; }
    int64_t group_maps() const { return maps / group; }
    int64_t k() const { return group_channels() * kh * kw; }
    bool pointwise() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w; }
    bool depthwise() const { return group == channels && maps == channels; }
};

// A padded row de-interleaved for stride 2: padded column col (input column col - pl) goes to phase col % 2,
// position col / 2, of `width` positions each; columns outside the input are zero.
void fill_row_stride2(const SimdKernels& simd, const float* row, int64_t w, int64_t pl, int64_t width, float* even, float* odd) {
    const int64_t wp = 2 * width;
    const int64_t a = std::min(pl, wp), b = std::clamp<int64_t>(pl + w, a, wp);  // padded columns from the input
    // Input column i lands at padded column a + i: the even-i run starts in phase a % 2, the odd-i run in the other.
    const int64_t pairs = (b - a) / 2, extra = (b - a) % 2;
    float* first = (a % 2 ? odd : even);
    float* second = (a % 2 ? even : odd);
    const int64_t first_at = a / 2, second_at = (a + 1) / 2;
    if (pairs > 0) simd.deinterleave2(row + (a - pl), pairs, first + first_at, second + second_at);
    if (extra) first[first_at + pairs] = row[a - pl + 2 * pairs];
    // The padding around what came from the input.
    std::fill(first, first + first_at, 0.f);
    std::fill(first + first_at + pairs + extra, first + width, 0.f);
    std::fill(second, second + second_at, 0.f);
    std::fill(second + second_at + pairs, second + width, 0.f);
}

// An image ready for im2col: its rows zero-padded (rows pt above, as many below as the windows reach) and split by
// stride phase, phases of phase_width floats side by side in a row: padded column pc (input column pc - pl) is
// position pc / sw of phase pc % sw. Then every tap of every output reads inside the image, and the inputs of
// consecutive outputs of one tap are consecutive floats. Stride 1 without padding uses the image as it is.
struct PhaseImage {
    const float* data;
    int64_t row_stride, phase_width, plane;  // plane: floats per channel
};

// The copy is split across threads only for images that the GEMM packs: for gathered panels (Im2colB), most of
// the image would then sit in the other core's cache when the GEMM reads it (BlazeFace's 5x5 stem at 2 threads:
// 0.30 ms with a parallel split, 0.16 ms without).
PhaseImage phase_split(const float* x, int64_t planes, const Geometry& g, const SimdKernels& simd, AlignedBuffer& buffer,
                       const ops::ParallelFor* parallel) {
    const int64_t rows = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1, cols = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
    if (g.sw == 1 && g.pt == 0 && g.pl == 0 && rows <= g.h && cols <= g.w) return {x, g.w, g.w, g.h * g.w};
    const int64_t phase_width = div_up(cols, g.sw), row_stride = g.sw * phase_width, plane = rows * row_stride;
    float* out = buffer.ensure(static_cast<size_t>(planes * plane));
    std::vector<int64_t> lo(static_cast<size_t>(g.sw)), hi(static_cast<size_t>(g.sw));
    for (int64_t s = 0; s < g.sw; ++s) {  // positions q of phase s that come from the input: [lo, hi)
        lo[size_t(s)] = std::clamp<int64_t>(div_up(g.pl - s, g.sw), 0, phase_width);
        hi[size_t(s)] = std::clamp<int64_t>(div_up(g.w + g.pl - s, g.sw), lo[size_t(s)], phase_width);
    }
    auto split = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {  // r: padded row r % rows of plane r / rows
            const int64_t ih = r % rows - g.pt;
            float* dst = out + r * row_stride;
            if (ih < 0 || ih >= g.h) {
                std::fill(dst, dst + row_stride, 0.f);
                continue;
            }
            const float* src = x + (r / rows * g.h + ih) * g.w;
            if (g.sw == 2) {
                fill_row_stride2(simd, src, g.w, g.pl, phase_width, dst, dst + phase_width);
                continue;
            }
            for (int64_t s = 0; s < g.sw; ++s) {
                float* phase = dst + s * phase_width;
                const int64_t a = lo[size_t(s)], b = hi[size_t(s)];
                std::fill(phase, phase + a, 0.f);
                if (g.sw == 1) {
                    std::memcpy(phase + a, src + a - g.pl, sizeof(float) * static_cast<size_t>(b - a));
                } else {
                    for (int64_t q = a; q < b; ++q) phase[q] = src[q * g.sw + s - g.pl];
                }
                std::fill(phase + b, phase + phase_width, 0.f);
            }
        }
    };
    // A copy costs about as much per float as a few GEMM flops.
    if (parallel && 4.0 * double(planes * rows * row_stride) >= gemm_tuning().serial_flops) {
        (*parallel)(planes * rows, split);
    } else {
        split(0, planes * rows);
    }
    return {out, row_stride, phase_width, plane};
}

// B = im2col(X) of one image and group, packed panel by panel without materialising the matrix:
// B(k, n) with k = (c, ky, kx) and n = (oy, ox) is X[c, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw], 0 outside,
// read from the padded phase image: padded row oy*sh + ky*dh, and for tap column kx padded column ox*sw + kx*dw,
// which is position ox + kx*dw / sw of phase kx*dw % sw. Each run of outputs of one row is one copy.
class Im2colB final : public BSource {
public:
    //! gather: full panels may be read from the image in place (BSource::panel_in_place).
    Im2colB(const PhaseImage& x, const Geometry& g, bool gather) : m_x(x), m_g(g), m_gather(gather) {
        // Where each k's inputs start: row k of B is m_x.data + m_k_offsets[k] + (offset of the output).
        const int64_t taps = g.kh * g.kw;
        m_k_offsets.resize(static_cast<size_t>(g.group_channels() * taps));
        for (size_t kk = 0; kk < m_k_offsets.size(); ++kk) {
            const int64_t c = int64_t(kk) / taps, tap = int64_t(kk) % taps;
            const int64_t dy = (tap / g.kw) * g.dh, dx = (tap % g.kw) * g.dw;
            m_k_offsets[kk] = c * x.plane + dy * x.row_stride + (dx % g.sw) * x.phase_width + dx / g.sw;
        }
    }

    // A panel of outputs of one output row reads, for each k, consecutive floats of one row of the phase image.
    bool panel_in_place(int64_t k0, int64_t n0, int nr, PanelRef& out) const override {
        const int64_t oy = n0 / m_g.ow, ox = n0 % m_g.ow;
        if (!m_gather || ox + nr > m_g.ow) return false;
        out = {m_x.data + oy * m_g.sh * m_x.row_stride + ox, 0, m_k_offsets.data() + k0};
        return true;
    }

    const float* panels(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const override {
        switch (nr) {
            case 32: return pack<32>(k0, kc, n0, nc, nr, dst);
            case 16: return pack<16>(k0, kc, n0, nc, nr, dst);
            case 12: return pack<12>(k0, kc, n0, nc, nr, dst);
            case 8: return pack<8>(k0, kc, n0, nc, nr, dst);
            default: return pack<0>(k0, kc, n0, nc, nr, dst);
        }
    }

private:
    // A run of consecutive outputs of one output row that land in one panel.
    struct Segment {
        int64_t offset;  // of its first lane in dst, for k = k0
        int64_t length;
        int64_t ox0;     // output column of its first output
    };

    // kNr: the panel width when known at compile time (0: use nr), so that a full segment is one fixed copy.
    template <int kNr>
    const float* pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr_runtime, float* dst) const {
        const int64_t nr = kNr ? kNr : nr_runtime;
        const Geometry& g = m_g;
        thread_local std::vector<Segment> segments;
        segments.clear();
        for (int64_t j = 0; j < nc;) {
            const int64_t n = n0 + j, oy = n / g.ow, ox = n % g.ow, lane = j % nr;
            const int64_t length = std::min({nr - lane, g.ow - ox, nc - j});
            // ox0 becomes the offset of its first input in a tap's plane.
            segments.push_back({(j - lane) * kc + lane, length, oy * g.sh * m_x.row_stride + ox});
            j += length;
        }
        if (nc % nr != 0) {  // zero the unused columns of the last panel
            float* last = dst + (nc - nc % nr) * kc;
            for (int64_t p = 0; p < kc; ++p) std::memset(last + p * nr + nc % nr, 0, sizeof(float) * static_cast<size_t>(nr - nc % nr));
        }
        for (int64_t p = 0; p < kc; ++p) {
            const float* src = m_x.data + m_k_offsets[static_cast<size_t>(k0 + p)];
            float* dst_k = dst + p * nr;
            for (const Segment& s : segments) {
                if (kNr && s.length == kNr) {
                    std::memcpy(dst_k + s.offset, src + s.ox0, sizeof(float) * static_cast<size_t>(kNr));
                } else {
                    std::memcpy(dst_k + s.offset, src + s.ox0, sizeof(float) * static_cast<size_t>(s.length));
                }
            }
        }
        return dst;
    }

    PhaseImage m_x;
    const Geometry& m_g;
    std::vector<int64_t> m_k_offsets;
    bool m_gather;
};

class ConvKernel final : public ops::Kernel {
public:
    ConvKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : m_reference(ops::find_op("Conv")->create(attributes, opset)),
              m_window(attributes),
              m_group(attributes.get_int("group", 1)),
              m_simd(simd) {}

    void infer(ops::InferContext& ctx) override {
        m_reference->infer(ctx);
        m_weights_constant.observe(ctx, 1, 0);
    }

    void run(ops::RunContext& ctx) override {
        Geometry g;
        if (!resolve(ctx, g)) {
            m_reference->run(ctx);
            return;
        }
        const ops::ParallelFor parallel = parallel_of(ctx);
        if (g.depthwise()) {
            run_depthwise(ctx, g, parallel);
        } else {
            run_gemm(ctx, g, parallel);
        }
    }

    bool fuse_residual_add() override {
        if (!m_reference->fuse_residual_add()) return false;
        m_residual = true;
        return true;
    }

    bool fuse_activation(const ops::Activation& activation) override {
        // The reference composes the same way, so both keep the same activation.
        ops::Activation combined = m_activation;
        if (!combined.then(activation) || !m_reference->fuse_activation(activation)) return false;
        m_activation = combined;
        return true;
    }

private:
    // The geometry of this run, or false for what the reference kernel runs (3-D, other dtypes, invalid shapes).
    bool resolve(const ops::RunContext& ctx, Geometry& g) const {
        const ops::TensorView& x = ctx.input(0);
        const ops::TensorView& w = ctx.input(1);
        if (x.dtype != LITE_FLOAT || w.dtype != LITE_FLOAT) return false;
        if (ctx.has_input(2) && (ctx.input(2).dtype != LITE_FLOAT || ctx.input(2).numel() != w.shape[0])) return false;
        const size_t rank = x.shape.size();
        if (rank < 3 || rank > 4 || w.shape.size() != rank) return false;
        if (x.shape[1] % m_group != 0 || w.shape[0] % m_group != 0 || w.shape[1] * m_group != x.shape[1]) return false;
        std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
        if (!m_window.kernel_shape.empty() && m_window.kernel_shape != kernel) return false;
        ops::Window3 win;
        if (!ops::forward_window(m_window, ops::Shape(x.shape.begin() + 2, x.shape.end()), kernel, win).empty()) return false;
        g.batch = x.shape[0];
        g.channels = x.shape[1];
        g.maps = w.shape[0];
        g.group = m_group;
        g.h = win.in[1], g.w = win.in[2], g.oh = win.out[1], g.ow = win.out[2];
        g.kh = win.kernel[1], g.kw = win.kernel[2], g.sh = win.stride[1], g.sw = win.stride[2];
        g.dh = win.dilation[1], g.dw = win.dilation[2], g.pt = win.pad_begin[1], g.pl = win.pad_begin[2];
        return true;
    }

    // The fused residual (input 3), its channels fewer than the output's when it was padded with zero channels.
    struct ResidualInput {
        const float* data = nullptr;
        int64_t maps = 0;
    };
    ResidualInput residual_input(const ops::RunContext& ctx) const {
        if (!m_residual || !ctx.has_input(3)) return {};
        return {ctx.input(3).as<float>(), ctx.input(3).shape[1]};
    }

    void run_gemm(ops::RunContext& ctx, const Geometry& g, const ops::ParallelFor& parallel) {
        std::lock_guard<std::mutex> lock(m_mutex);  // one run at a time owns the packed weights
        const ops::TensorView& wv = ctx.input(1);
        const float* x = ctx.input(0).as<float>();
        const float* bias = ctx.has_input(2) ? ctx.input(2).as<float>() : nullptr;
        float* y = ctx.output(0).as<float>();
        const int64_t mg = g.group_maps(), cg = g.group_channels(), k = g.k();
        const int64_t in_size = g.h * g.w, out_size = g.oh * g.ow;
        const WinogradShape ws{g.batch, g.channels, g.maps, g.h, g.w, g.oh, g.ow, g.pt, g.pl, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.group};
        const ResidualInput residual = residual_input(ctx);
        if (!residual.data && winograd_applies(ws)) {
            m_winograd.prepare(m_simd, wv, m_weights_constant.constant());
            m_winograd.run(x, ws, bias, m_activation, y, &parallel);
            return;
        }
        pack_weights(wv, g);

        auto one = [&](int64_t index, const ops::ParallelFor* par) {
            const int64_t n = index / g.group, grp = index % g.group;
            const float* xg = x + (n * g.channels + grp * cg) * in_size;
            Epilogue ep;
            ep.bias = bias ? bias + grp * mg : nullptr;
            ep.bias_rs = 1;
            ep.act = m_activation;
            if (residual.data) {
                ep.residual = residual.data + (n * residual.maps + grp * mg) * out_size;
                ep.residual_rs = out_size;
                ep.residual_rows = std::clamp<int64_t>(residual.maps - grp * mg, 0, mg);
            }
            float* yg = y + (n * g.maps + grp * mg) * out_size;
            if (g.pointwise()) {
                sgemm(m_packed[static_cast<size_t>(grp)], StridedB(xg, in_size, 1), out_size, yg, out_size, ep, par);
            } else {
                thread_local AlignedBuffer phases;
                // Gathering B's rows in place beats packing them for short K (few rows per panel); long ones
                // are better packed (PP-OCR det's 3x3 96 -> 24: 8.9 ms gathered, 7.9 ms packed).
                const bool gather = k <= kMaxGatheredK;
                const PhaseImage image = phase_split(xg, cg, g, m_simd, phases, gather ? nullptr : par);
                sgemm(m_packed[static_cast<size_t>(grp)], Im2colB(image, g, gather), out_size, yg, out_size, ep, par);
            }
        };
        const int64_t count = g.batch * g.group;
        const double flops = gemm_flops(mg, out_size, k);
        if (count > 1 && flops < gemm_tuning().serial_flops) {
            // Many small products (grouped convs): one per task, each on one thread.
            auto tasks = [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) one(i, nullptr);
            };
            if (flops * double(count) < gemm_tuning().serial_flops) {
                tasks(0, count);
            } else {
                parallel(count, tasks);
            }
        } else {
            for (int64_t i = 0; i < count; ++i) one(i, &parallel);
        }
    }

    // Packs each group's weights (Mg x K, rows of W) unless the same constant weights are packed already.
    void pack_weights(const ops::TensorView& wv, const Geometry& g) {
        const int64_t mg = g.group_maps(), k = g.k(), kc = k_block_size(k);
        const bool keep = m_weights_constant.constant();
        if (keep && m_packed_from == wv.data && m_packed_shape == wv.shape && m_packed_kc == kc &&
            m_packed.size() == static_cast<size_t>(g.group)) {
            return;
        }
        m_packed.resize(static_cast<size_t>(g.group));
        const float* w = wv.as<float>();
        for (int64_t grp = 0; grp < g.group; ++grp) {
            pack_a(m_simd, w + grp * mg * k, k, 1, mg, k, kc, m_packed[static_cast<size_t>(grp)]);
        }
        m_packed_from = keep ? wv.data : nullptr;
        m_packed_shape = wv.shape;
        m_packed_kc = kc;
    }

    void run_depthwise(ops::RunContext& ctx, const Geometry& g, const ops::ParallelFor& parallel) const {
        const float* x = ctx.input(0).as<float>();
        const float* weights = ctx.input(1).as<float>();
        const float* bias = ctx.has_input(2) ? ctx.input(2).as<float>() : nullptr;
        float* y = ctx.output(0).as<float>();
        const int64_t taps = g.kh * g.kw, in_size = g.h * g.w, out_size = g.oh * g.ow;
        const ResidualInput residual = residual_input(ctx);
        const DepthwiseGrid grid(g);
        auto planes = [&](int64_t begin, int64_t end) {
            thread_local DepthwiseScratch scratch;  // one lookup per chunk of planes
            for (int64_t plane = begin; plane < end; ++plane) {
                const int64_t c = plane % g.channels;
                float* out = y + plane * out_size;
                const float* wc = weights + c * taps;
                const float bc = bias ? bias[c] : 0.f;
                if (!residual.data) {
                    depthwise_plane(x + plane * in_size, wc, bc, g, grid, m_activation, scratch, out);
                    continue;
                }
                // The residual goes in before the activation: the plane without it, then both in one pass.
                depthwise_plane(x + plane * in_size, wc, bc, g, grid, ops::Activation{}, scratch, out);
                Epilogue ep;
                ep.act = m_activation;
                if (c < residual.maps) {
                    ep.residual = residual.data + (plane / g.channels * residual.maps + c) * out_size;
                    ep.residual_rows = 1;
                }
                if (!ep.trivial()) m_simd.epilogue(out, out_size, 1, out_size, 0, 0, ep);
            }
        };
        const int64_t count = g.batch * g.channels;
        // Depthwise runs at about half the GEMM's flop rate: its work counts double.
        if (4.0 * double(count * out_size * taps) < gemm_tuning().serial_flops) {
            planes(0, count);
        } else {
            parallel(count, planes);
        }
    }

    // A depthwise plane is computed from stride-phase planes of its zero-padded input: phase (a, b) holds padded
    // rows a, a + sh, ... and padded columns b, b + sw, ..., rows of `stride` floats. Tap (ky, kx) of output
    // (oy, ox) is then element (oy + ky*dh / sh, ox + kx*dw / sw) of phase (ky*dh % sh, kx*dw % sw), so every
    // tap reads consecutive floats for consecutive outputs, and an output grid with the phases' row stride
    // ("flat": oy * stride + ox) reads each tap at one fixed offset: narrow planes run as one long row over that
    // grid (the columns past ow are computed and dropped), wide ones row by row.
    struct DepthwiseGrid {
        int64_t rows, stride, phase_size;
        int64_t lead = 0;  // floats before the first phase in its buffer
        bool in_place;  // stride 1, no padding read: the input plane itself is the only phase
        std::vector<int64_t> inside_lo, inside_hi;  // per column phase: the columns that come from the input
        std::vector<int64_t> tap_offsets;            // of each tap's first input in the phases
        explicit DepthwiseGrid(const Geometry& g) {
            rows = g.oh + (g.kh - 1) * g.dh / g.sh;
            stride = g.ow + (g.kw - 1) * g.dw / g.sw;
            in_place = g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && rows <= g.h && stride <= g.w;
            if (in_place) stride = g.w;
            // Columns past the last row of the grid are read by the dropped outputs of its last row.
            phase_size = rows * stride + (g.kw - 1) * g.dw / g.sw;
            // Wide rows start each row's first input column on a cache line (kLine floats), so that the loads of
            // the middle tap column are aligned instead of every load straddling two lines.
            if (!in_place && g.ow >= kWideRow) {
                stride = div_up(stride, kLine) * kLine;
                phase_size = div_up(rows * stride + (g.kw - 1) * g.dw / g.sw, kLine) * kLine;
                lead = (kLine - g.pl / g.sw % kLine) % kLine;
            }
            for (int64_t ky = 0; ky < g.kh; ++ky) {
                for (int64_t kx = 0; kx < g.kw; ++kx) {
                    const int64_t dy = ky * g.dh, dx = kx * g.dw;
                    tap_offsets.push_back(((dy % g.sh) * g.sw + dx % g.sw) * phase_size + dy / g.sh * stride + dx / g.sw);
                }
            }
            for (int64_t s = 0; s < g.sw; ++s) {  // padded columns q * sw + s inside the input: q in [lo, hi)
                inside_lo.push_back(std::clamp<int64_t>(div_up(g.pl - s, g.sw), 0, stride));
                inside_hi.push_back(std::clamp<int64_t>(div_up(g.w + g.pl - s, g.sw), inside_lo.back(), stride));
            }
        }
    };
    struct DepthwiseScratch {
        AlignedBuffer phases, grid;
        std::vector<const float*> taps;
        std::array<int64_t, 10> zeroed_for{};  // the geometry whose padding `phases` holds
        const float* zeroed_buffer = nullptr;
    };

    void depthwise_plane(const float* src, const float* wc, float b, const Geometry& g, const DepthwiseGrid& grid,
                         const ops::Activation& act, DepthwiseScratch& scratch, float* out) const {
        const int64_t taps = g.kh * g.kw, stride = grid.stride;
        const float* phases = grid.in_place ? src : fill_phases(src, g, grid, scratch);
        // The kernel rows' input rows of output row 0 (each phase of each), for the row-pointer kernel.
        const bool by_rows = g.dw == 1 && g.kh * g.sw <= kMaxRowPointers;
        const float* rows[kMaxRowPointers];
        if (by_rows) {
            for (int64_t ky = 0; ky < g.kh; ++ky) {
                const int64_t dy = ky * g.dh;
                for (int64_t s = 0; s < g.sw; ++s) {
                    rows[ky * g.sw + s] = phases + ((dy % g.sh) * g.sw + s) * grid.phase_size + dy / g.sh * stride;
                }
            }
        }
        const int kh = static_cast<int>(g.kh), kw = static_cast<int>(g.kw), sw = static_cast<int>(g.sw);
        // nrows rows of count outputs of the grid from its row oy on (dst rows out_stride apart): the row-pointer
        // kernel where it has the kernel size, else one row of taps at a time.
        auto grid_run = [&](int64_t oy, int64_t count, int64_t nrows, int64_t out_stride, float* dst) {
            if (by_rows) {
                const float* shifted[kMaxRowPointers];
                for (int64_t i = 0; i < g.kh * g.sw; ++i) shifted[i] = rows[i] + oy * stride;
                if (m_simd.depthwise_rows(shifted, kh, kw, sw, wc, count, nrows, stride, out_stride, b, act, dst)) return;
            }
            scratch.taps.resize(static_cast<size_t>(taps));
            for (int64_t r = 0; r < nrows; ++r) {
                for (int64_t t = 0; t < taps; ++t) {
                    scratch.taps[static_cast<size_t>(t)] = phases + grid.tap_offsets[static_cast<size_t>(t)] + (oy + r) * stride;
                }
                m_simd.depthwise_row(scratch.taps.data(), wc, static_cast<int>(taps), count, b, act, dst + r * out_stride);
            }
        };
        if (stride == g.ow) {  // the grid is the output
            grid_run(0, g.oh * g.ow, 1, 0, out);
            return;
        }
        if (g.ow >= kWideRow) {
            int64_t oy = 0;
            if (g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1) {
                // Two output rows at a time: each loaded input serves both.
                m_simd.depthwise3x3_rows2(phases, stride, g.oh / 2, wc, g.ow, b, act, out, g.ow);
                oy = g.oh / 2 * 2;
            }
            if (oy < g.oh) grid_run(oy, g.ow, g.oh - oy, g.ow, out + oy * g.ow);
            return;
        }
        // Narrow rows: the whole grid as one row, then its first ow columns of each row.
        const int64_t cells = (g.oh - 1) * stride + g.ow;
        float* flat = scratch.grid.ensure(static_cast<size_t>(cells));
        grid_run(0, cells, 1, 0, flat);
        m_simd.copy_rows(flat, stride, g.ow, g.oh, out, g.ow);
    }

    // The stride-phase planes of a zero-padded input plane (see DepthwiseGrid).
    const float* fill_phases(const float* src, const Geometry& g, const DepthwiseGrid& grid, DepthwiseScratch& scratch) const {
        const int64_t stride = grid.stride, total = grid.lead + g.sh * g.sw * grid.phase_size;
        float* buffer = scratch.phases.ensure(static_cast<size_t>(total));
        // The padding is where it was for the previous plane of the same geometry: zero already. Only the
        // input's values are written per plane.
        const std::array<int64_t, 10> key{g.h, g.w, g.sh, g.sw, g.pt, g.pl, grid.rows, stride, grid.lead, total};
        if (scratch.zeroed_for != key || scratch.zeroed_buffer != buffer) {
            std::memset(buffer, 0, sizeof(float) * static_cast<size_t>(total));
            scratch.zeroed_for = key;
            scratch.zeroed_buffer = buffer;
        }
        float* phases = buffer + grid.lead;
        // The rows r of row phase a whose input row r * sh + a - pt is inside the input: [r0, r1).
        auto input_rows = [&](int64_t a, int64_t& r0, int64_t& r1) {
            r0 = std::clamp<int64_t>(div_up(g.pt - a, g.sh), 0, grid.rows);
            r1 = std::clamp<int64_t>(div_up(g.h + g.pt - a, g.sh), r0, grid.rows);
            return r1 > r0;
        };
        int64_t r0 = 0, r1 = 0;
        if (g.sw <= 2) {  // all rows of a row phase in one call
            // Stride 2: padded column pl + i (input column i) is position (pl + i) / 2 of phase (pl + i) % 2, up to
            // the grid's 2 * stride padded columns.
            const int64_t columns = std::max<int64_t>(std::min(g.pl + g.w, 2 * stride) - g.pl, 0);
            const int64_t pairs = columns / 2, extra = columns % 2;
            const int64_t lo = grid.inside_lo[0], hi = grid.inside_hi[0];
            for (int64_t a = 0; a < g.sh; ++a) {
                if (!input_rows(a, r0, r1)) continue;
                const float* in = src + (r0 * g.sh + a - g.pt) * g.w;
                float* row_phases = phases + a * g.sw * grid.phase_size + r0 * stride;
                if (g.sw == 1) {
                    if (hi > lo) m_simd.copy_rows(in + lo - g.pl, g.sh * g.w, hi - lo, r1 - r0, row_phases + lo, stride);
                    continue;
                }
                float* first = row_phases + (g.pl % 2) * grid.phase_size + g.pl / 2;
                float* second = row_phases + ((g.pl + 1) % 2) * grid.phase_size + (g.pl + 1) / 2;
                if (pairs > 0) m_simd.deinterleave2_rows(in, g.sh * g.w, pairs, r1 - r0, first, second, stride);
                if (extra) {
                    for (int64_t r = 0; r < r1 - r0; ++r) first[r * stride + pairs] = in[r * g.sh * g.w + 2 * pairs];
                }
            }
            return phases;
        }
        for (int64_t a = 0; a < g.sh; ++a) {  // larger strides, element by element
            if (!input_rows(a, r0, r1)) continue;
            for (int64_t r = r0; r < r1; ++r) {
                const float* row = src + (r * g.sh + a - g.pt) * g.w;
                for (int64_t s = 0; s < g.sw; ++s) {
                    float* phase = phases + (a * g.sw + s) * grid.phase_size + r * stride;
                    const int64_t lo = grid.inside_lo[static_cast<size_t>(s)], hi = grid.inside_hi[static_cast<size_t>(s)];
                    for (int64_t q = lo; q < hi; ++q) phase[q] = row[q * g.sw + s - g.pl];
                }
            }
        }
        return phases;
    }

    // Row by row from this width on (below it, the flat grid's dropped columns cost less than short rows).
    static constexpr int64_t kWideRow = 32;
    static constexpr int64_t kMaxRowPointers = 16;
    static constexpr int64_t kMaxGatheredK = 256;
    static constexpr int64_t kLine = 64 / sizeof(float);

    std::unique_ptr<ops::Kernel> m_reference;
    ops::WindowAttrs m_window;
    int64_t m_group;
    const SimdKernels& m_simd;
    ops::Activation m_activation;
    bool m_residual = false;  // input 3 is added before the activation (fuse_residual_add)
    ConstantInput m_weights_constant;

    std::mutex m_mutex;
    std::vector<PackedA> m_packed;  // per group
    const void* m_packed_from = nullptr;
    ops::Shape m_packed_shape;
    int64_t m_packed_kc = 0;
    WinogradConv m_winograd;  // 3x3 stride-1 convs large enough for Winograd
};

}  // namespace

std::unique_ptr<ops::Kernel> make_conv_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<ConvKernel>(attributes, opset, simd);
}

}  // namespace lite::backend::cpu
