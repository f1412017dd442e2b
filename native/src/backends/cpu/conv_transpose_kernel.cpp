// ConvTranspose on the CPU backend: 1-D and 2-D float32 in NCHW, as GEMM + col2im. Per image and group,
// cols (M/group * kh * kw x a chunk of input pixels) = W_g^T · X_g with W_g packed once when constant; cols are
// then added into the output at their strided, dilated, padded positions (parallel over output maps, so no two
// threads write one element). Bias and the fused activation are one epilogue pass at the end. 3-D runs the
// reference kernel.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "ops/conv_common.h"

namespace lite::backend::cpu {
namespace {

// Work of one output element in the scatter and epilogue passes, in the units of GemmTuning::serial_flops.
constexpr double kScatterCost = 4;

int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }

struct Geometry {
    int64_t batch, channels, maps, group;
    int64_t h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
    int64_t group_channels() const { return channels / group; }
    int64_t group_maps() const { return maps / group; }
    //! The taps of the inputs tile the output exactly (kernel == stride, no dilation or crop): the usual
    //! learned 2x upsampling.
    bool exact_tiling() const {
        return kh == sh && kw == sw && dh == 1 && dw == 1 && pt == 0 && pl == 0 && oh == h * sh && ow == w * sw;
    }
};

class ConvTransposeKernel final : public ops::Kernel {
public:
    ConvTransposeKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : m_reference(ops::find_op("ConvTranspose")->create(attributes, opset)),
              m_window(attributes),
              m_group(attributes.get_int("group", 1)),
              m_output_padding(attributes.get_ints("output_padding")),
              m_has_output_shape(!attributes.get_ints("output_shape").empty()),
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
        std::lock_guard<std::mutex> lock(m_mutex);
        const ops::ParallelFor parallel = parallel_of(ctx);
        const float* x = ctx.input(0).as<float>();
        const float* bias = ctx.has_input(2) ? ctx.input(2).as<float>() : nullptr;
        float* y = ctx.output(0).as<float>();
        const int64_t cg = g.group_channels(), mg = g.group_maps(), taps = g.kh * g.kw;
        const int64_t in_size = g.h * g.w, out_size = g.oh * g.ow, rows = mg * taps;
        pack_weights(ctx.input(1), g);
        // The cols buffer holds whole input rows, at most gemm_tuning().cols_floats (but one row at least); it
        // belongs to the thread that fills it and is shared by every ConvTranspose that thread runs.
        const int64_t chunk_rows = std::clamp<int64_t>(gemm_tuning().cols_floats / std::max<int64_t>(rows * g.w, 1), 1, g.h);
        const int64_t chunks = div_up(g.h, chunk_rows);
        const double flops = gemm_flops(rows, in_size, cg) * double(g.batch * g.group);
        Epilogue ep;
        ep.bias = bias;
        ep.bias_rs = 1;
        ep.act = m_activation;
        if (g.exact_tiling()) {
            // Each output is written by exactly one (input, tap): no zeroing, no accumulation, and input row chunks
            // write disjoint output rows, so that whole chunks (GEMM and scatter) run in parallel.
            auto tasks = [&](int64_t begin, int64_t end) {
                thread_local AlignedBuffer cols_buffer;
                float* cols = cols_buffer.ensure(static_cast<size_t>(rows * chunk_rows * g.w));
                for (int64_t t = begin; t < end; ++t) {
                    const int64_t image = t / chunks, r0 = t % chunks * chunk_rows, r1 = std::min(g.h, r0 + chunk_rows);
                    const int64_t n = image / g.group, grp = image % g.group, nc = (r1 - r0) * g.w;
                    const float* xg = x + (n * g.channels + grp * cg) * in_size;
                    sgemm(m_packed[static_cast<size_t>(grp)], StridedB(xg + r0 * g.w, in_size, 1), nc, cols, nc, Epilogue{}, nullptr);
                    for (int64_t m = 0; m < mg; ++m) {
                        const int64_t map = grp * mg + m;
                        float* plane = y + (n * g.maps + map) * out_size;
                        col2im<false>(cols + m * taps * nc, nc, r0, r1, g, plane, bias ? bias[map] : 0.f);
                        if (!ep.act.identity()) {
                            Epilogue act_only;
                            act_only.act = ep.act;
                            const int64_t first = r0 * g.sh * g.ow, count = (r1 - r0) * g.sh * g.ow;
                            m_simd.epilogue(plane + first, count, 1, count, 0, 0, act_only);
                        }
                    }
                }
            };
            const int64_t count = g.batch * g.group * chunks;
            if (flops < gemm_tuning().serial_flops) {
                tasks(0, count);
            } else {
                parallel(count, tasks);
            }
            return;
        }
        thread_local AlignedBuffer cols_buffer;
        float* cols = cols_buffer.ensure(static_cast<size_t>(rows * chunk_rows * g.w));
        std::memset(y, 0, sizeof(float) * static_cast<size_t>(g.batch * g.maps * out_size));
        for (int64_t n = 0; n < g.batch; ++n) {
            for (int64_t grp = 0; grp < g.group; ++grp) {
                const float* xg = x + (n * g.channels + grp * cg) * in_size;
                float* yg = y + (n * g.maps + grp * mg) * out_size;
                for (int64_t r0 = 0; r0 < g.h; r0 += chunk_rows) {
                    const int64_t r1 = std::min(g.h, r0 + chunk_rows), nc = (r1 - r0) * g.w;
                    sgemm(m_packed[static_cast<size_t>(grp)], StridedB(xg + r0 * g.w, in_size, 1), nc, cols, nc, Epilogue{},
                          &parallel);
                    // Parallel over output maps: each writes only its own plane.
                    auto scatter = [&](int64_t m0, int64_t m1) {
                        for (int64_t m = m0; m < m1; ++m) col2im<true>(cols + m * taps * nc, nc, r0, r1, g, yg + m * out_size, 0.f);
                    };
                    if (double(rows * nc) * kScatterCost < gemm_tuning().serial_flops) {
                        scatter(0, mg);
                    } else {
                        parallel(mg, scatter);
                    }
                }
            }
        }
        if (ep.trivial()) return;
        const int64_t planes = g.batch * g.maps;
        auto finish = [&](int64_t p0, int64_t p1) {
            for (int64_t p = p0; p < p1; ++p) m_simd.epilogue(y + p * out_size, out_size, 1, out_size, p % g.maps, 0, ep);
        };
        if (double(planes * out_size) * kScatterCost < gemm_tuning().serial_flops) {
            finish(0, planes);
        } else {
            parallel(planes, finish);
        }
    }

    bool fuse_activation(const ops::Activation& activation) override {
        // The reference composes the same way, so both keep the same activation.
        ops::Activation combined = m_activation;
        if (!combined.then(activation) || !m_reference->fuse_activation(activation)) return false;
        m_activation = combined;
        return true;
    }

private:
    // Adds (kAccumulate) or writes, plus `bias`, the cols of one output map (taps rows of nc input pixels, input
    // rows r0..r1) into its output plane.
    template <bool kAccumulate>
    static void col2im(const float* cols, int64_t nc, int64_t r0, int64_t r1, const Geometry& g, float* out, float bias) {
        for (int64_t ky = 0; ky < g.kh; ++ky) {
            for (int64_t kx = 0; kx < g.kw; ++kx) {
                const float* src = cols + (ky * g.kw + kx) * nc;
                const int64_t dx = kx * g.dw - g.pl;
                // Input columns whose output column ix * sw + dx is inside the output: ix in [lo, hi).
                const int64_t lo = std::clamp<int64_t>((-dx + g.sw - 1) / g.sw, 0, g.w);
                const int64_t hi = std::clamp<int64_t>(g.ow - dx > 0 ? (g.ow - dx + g.sw - 1) / g.sw : 0, lo, g.w);
                for (int64_t iy = r0; iy < r1; ++iy) {
                    const int64_t oy = iy * g.sh - g.pt + ky * g.dh;
                    if (oy < 0 || oy >= g.oh) continue;
                    const float* s = src + (iy - r0) * g.w;
                    float* d = out + oy * g.ow;
                    if (!kAccumulate) {
                        for (int64_t ix = lo; ix < hi; ++ix) d[ix * g.sw + dx] = s[ix] + bias;
                    } else if (g.sw == 1) {
                        for (int64_t ix = lo; ix < hi; ++ix) d[ix + dx] += s[ix];
                    } else {
                        for (int64_t ix = lo; ix < hi; ++ix) d[ix * g.sw + dx] += s[ix];
                    }
                }
            }
        }
    }

    // The geometry of this run (as the reference kernel resolves it), or false for what the reference runs.
    bool resolve(ops::RunContext& ctx, Geometry& g) const {
        const ops::TensorView& x = ctx.input(0);
        const ops::TensorView& w = ctx.input(1);
        const ops::TensorView& y = ctx.output(0);
        if (x.dtype != LITE_FLOAT || w.dtype != LITE_FLOAT) return false;
        const size_t rank = x.shape.size();
        if (rank < 3 || rank > 4 || w.shape.size() != rank || y.shape.size() != rank) return false;
        if (w.shape[0] != x.shape[1] || x.shape[1] % m_group != 0 || y.shape[1] != w.shape[1] * m_group) return false;
        if (ctx.has_input(2) && (ctx.input(2).dtype != LITE_FLOAT || ctx.input(2).numel() != y.shape[1])) return false;
        const size_t spatial = rank - 2;
        if (!m_window.check_rank(spatial).empty()) return false;
        if (!m_output_padding.empty() && m_output_padding.size() != spatial) return false;
        int64_t in[2] = {1, 1}, out[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, pb[2] = {0, 0};
        for (size_t i = 0; i < spatial; ++i) {
            const size_t j = i + 2 - spatial;
            in[j] = x.shape[2 + i];
            out[j] = y.shape[2 + i];
            k[j] = w.shape[2 + i];
            s[j] = m_window.stride(i);
            d[j] = m_window.dilation(i);
            const int64_t op = m_output_padding.empty() ? 0 : m_output_padding[i];
            const int64_t full = s[j] * (in[j] - 1) + op + (k[j] - 1) * d[j] + 1;
            const bool same = m_window.auto_pad == ops::AutoPad::SameUpper || m_window.auto_pad == ops::AutoPad::SameLower;
            if (m_has_output_shape || same) {
                const int64_t total = std::max<int64_t>(0, full - out[j]);
                pb[j] = m_window.auto_pad == ops::AutoPad::SameUpper ? total / 2 : total - total / 2;
            } else if (m_window.auto_pad != ops::AutoPad::Valid) {
                pb[j] = m_window.pad_begin(i);
            }
        }
        g.batch = x.shape[0];
        g.channels = x.shape[1];
        g.maps = y.shape[1];
        g.group = m_group;
        g.h = in[0], g.w = in[1], g.oh = out[0], g.ow = out[1], g.kh = k[0], g.kw = k[1];
        g.sh = s[0], g.sw = s[1], g.dh = d[0], g.dw = d[1], g.pt = pb[0], g.pl = pb[1];
        return true;
    }

    // Per group, A = W_g^T (M/group * kh * kw x C/group): W is (C, M/group, kh, kw), so A(i, c) = W_g[c * rows + i].
    void pack_weights(const ops::TensorView& wv, const Geometry& g) {
        const int64_t cg = g.group_channels(), rows = g.group_maps() * g.kh * g.kw, kc = k_block_size(cg);
        const bool keep = m_weights_constant.constant();
        if (keep && m_packed_from == wv.data && m_packed_shape == wv.shape && m_packed_kc == kc &&
            m_packed.size() == static_cast<size_t>(g.group)) {
            return;
        }
        m_packed.resize(static_cast<size_t>(g.group));
        const float* w = wv.as<float>();
        for (int64_t grp = 0; grp < g.group; ++grp) {
            pack_a(m_simd, w + grp * cg * rows, 1, rows, rows, cg, kc, m_packed[static_cast<size_t>(grp)]);
        }
        m_packed_from = keep ? wv.data : nullptr;
        m_packed_shape = wv.shape;
        m_packed_kc = kc;
    }

    std::unique_ptr<ops::Kernel> m_reference;
    ops::WindowAttrs m_window;
    int64_t m_group;
    std::vector<int64_t> m_output_padding;
    bool m_has_output_shape;
    const SimdKernels& m_simd;
    ops::Activation m_activation;
    ConstantInput m_weights_constant;

    std::mutex m_mutex;
    std::vector<PackedA> m_packed;  // per group
    const void* m_packed_from = nullptr;
    ops::Shape m_packed_shape;
    int64_t m_packed_kc = 0;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_conv_transpose_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<ConvTransposeKernel>(attributes, opset, simd);
}

}  // namespace lite::backend::cpu
