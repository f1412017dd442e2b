// MaxPool, AveragePool and GlobalAveragePool on the CPU backend, float32. The windowed pools cover 1-D and 2-D
// inputs without dilation (any kernel, strides, pads or auto_pad, ceil_mode; MaxPool without its Indices output)
// one output row at a time, with vectors across the row: the window's input rows are folded into one row
// (simd.max_arrays / sum_arrays), which is padded and split by stride phase so that the window's columns are
// folded the same way. GlobalAveragePool sums each plane with vectors. Everything else runs the reference kernels.
#include <algorithm>
#include <limits>
#include <vector>

#include "backends/cpu/fast_kernels.h"
#include "ops/conv_common.h"

namespace lite::backend::cpu {
namespace {

int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }

// The geometry of a 1-D or 2-D pool (1-D: h = oh = kh = 1).
struct PoolGeometry {
    int64_t planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw;
    ops::Window3 window;
    //! Columns the windows span, in padded coordinates (input column + pw).
    int64_t padded_width() const { return (ow - 1) * sw + kw; }
    int64_t phase_width() const { return div_up(padded_width(), sw); }
    //! Floats a pool moves: every input and output once (the window overlap is served from cache).
    double floats() const { return double(planes) * double(h * w + oh * ow); }
};

// The geometry when the fast path covers the pool: float32, rank 3 or 4, no dilation.
bool pool_geometry(const ops::WindowAttrs& attrs, const ops::TensorView& x, PoolGeometry& g) {
    if (x.dtype != LITE_FLOAT || x.shape.size() < 3 || x.shape.size() > 4) return false;
    ops::Window3 w;
    if (!ops::forward_window(attrs, ops::Shape(x.shape.begin() + 2, x.shape.end()), attrs.kernel_shape, w).empty()) return false;
    if (w.dilation[1] != 1 || w.dilation[2] != 1) return false;
    g = {x.shape[0] * x.shape[1], w.in[1], w.in[2], w.out[1], w.out[2], w.kernel[1], w.kernel[2],
         w.stride[1], w.stride[2], w.pad_begin[1], w.pad_begin[2], w};
    return true;
}

// Per-thread scratch of a pool: the folded, padded row, its stride phases, and the operands of a fold.
struct RowScratch {
    std::vector<float> row, phases;
    std::vector<const float*> operands;

    void ensure(const PoolGeometry& g) {
        row.resize(static_cast<size_t>(g.padded_width()));
        phases.resize(static_cast<size_t>(g.sw * g.phase_width()));
        operands.resize(static_cast<size_t>(std::max(g.kh, g.kw)));
    }
};

// The input rows of output row `oy` inside the input, as fold operands; returns how many.
int window_rows(const float* plane, int64_t oy, const PoolGeometry& g, const float** rows) {
    const int64_t ih0 = oy * g.sh - g.ph;
    const int64_t begin = std::max<int64_t>(0, ih0), end = std::min(g.h, ih0 + g.kh);
    for (int64_t ih = begin; ih < end; ++ih) *rows++ = plane + ih * g.w;
    return static_cast<int>(std::max<int64_t>(0, end - begin));
}

// Pads the folded row (its input columns are at [pw, pw + cols)) with `pad` on both sides.
void pad_row(float* row, int64_t cols, float pad, const PoolGeometry& g) {
    const int64_t width = g.padded_width(), front = std::min(g.pw, width);
    std::fill(row, row + front, pad);
    std::fill(row + std::max(front, std::min(width, g.pw + cols)), row + width, pad);
}

// Input columns a folded row needs: those inside the padded width.
int64_t row_columns(const PoolGeometry& g) { return std::clamp<int64_t>(g.padded_width() - g.pw, 0, g.w); }

// Points taps[k] (k < kw) at padded column o * sw + k for consecutive outputs o: the padded row itself for
// stride 1, else its stride phases (phase s holds the padded columns q * sw + s).
void column_taps(const SimdKernels& simd, const PoolGeometry& g, RowScratch& s) {
    const float* row = s.row.data();
    const int64_t width = g.padded_width(), span = g.phase_width();
    float* phases = s.phases.data();
    if (g.sw == 1) {
        for (int64_t k = 0; k < g.kw; ++k) s.operands[static_cast<size_t>(k)] = row + k;
        return;
    }
    if (g.sw == 2) {
        simd.deinterleave2(row, width / 2, phases, phases + span);
        if (width % 2) phases[width / 2] = row[width - 1];
    } else {
        for (int64_t c = 0; c < width; ++c) phases[(c % g.sw) * span + c / g.sw] = row[c];
    }
    for (int64_t k = 0; k < g.kw; ++k) s.operands[static_cast<size_t>(k)] = phases + (k % g.sw) * span + k / g.sw;
}

class MaxPoolKernel final : public ReferenceBackedKernel {
public:
    MaxPoolKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : ReferenceBackedKernel(ops::find_op("MaxPool")->create(attributes, opset)), m_window(attributes), m_simd(simd) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& xv = ctx.input(0);
        PoolGeometry g;
        if (ctx.num_outputs() > 1 || !pool_geometry(m_window, xv, g)) {
            run_reference(ctx);
            return;
        }
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        parallel_if(ctx, g.planes * g.oh, g.floats(), [&](int64_t begin, int64_t end) {
            thread_local RowScratch scratch;
            scratch.ensure(g);
            for (int64_t item = begin; item < end; ++item) {
                const int64_t p = item / g.oh, oy = item % g.oh;
                pool_row(x + p * g.h * g.w, oy, g, scratch, y + item * g.ow);
            }
        });
    }

private:
    void pool_row(const float* plane, int64_t oy, const PoolGeometry& g, RowScratch& s, float* out) const {
        constexpr float kLowest = std::numeric_limits<float>::lowest();
        const int nrows = window_rows(plane, oy, g, s.operands.data());
        if (nrows == 0) {  // the window rows lie in the padding: no element, as in the reference
            std::fill(out, out + g.ow, kLowest);
            return;
        }
        if (g.kw == 2 && g.sw == 2 && g.pw == 0 && 2 * g.ow <= g.w) {  // 2-wide windows inside the row
            if (!m_simd.max_pairs(s.operands.data(), nrows, g.ow, out)) exact_row(plane, oy, g, out);
            return;
        }
        // Padding never wins: -inf (an input -inf ties with it). Windows with no input column are set below.
        const int64_t cols = row_columns(g);
        pad_row(s.row.data(), cols, -std::numeric_limits<float>::infinity(), g);
        const bool finite = cols == 0 || m_simd.max_arrays(s.operands.data(), nrows, cols, s.row.data() + g.pw);
        if (!finite) {
            exact_row(plane, oy, g, out);
            return;
        }
        column_taps(m_simd, g, s);
        m_simd.max_arrays(s.operands.data(), static_cast<int>(g.kw), g.ow, out);
        for (int64_t o = 0; o < g.ow && o * g.sw + g.kw <= g.pw; ++o) out[o] = kLowest;
        for (int64_t o = g.ow; o-- > 0 && o * g.sw >= g.pw + g.w;) out[o] = kLowest;
    }

    // The reference's rule where a window holds a NaN or an infinity: the first element, then v > best or the
    // first NaN.
    static void exact_row(const float* plane, int64_t oy, const PoolGeometry& g, float* out) {
        const int64_t ih0 = oy * g.sh - g.ph;
        const int64_t kh_begin = std::max<int64_t>(0, -ih0), kh_end = std::min(g.kh, g.h - ih0);
        for (int64_t o = 0; o < g.ow; ++o) {
            const int64_t iw0 = o * g.sw - g.pw;
            const int64_t kw_begin = std::max<int64_t>(0, -iw0), kw_end = std::min(g.kw, g.w - iw0);
            float best = std::numeric_limits<float>::lowest();
            bool first = true;
            for (int64_t kh = kh_begin; kh < kh_end; ++kh) {
                const float* r = plane + (ih0 + kh) * g.w + iw0;
                for (int64_t kw = kw_begin; kw < kw_end; ++kw) {
                    const float v = r[kw];
                    if (first || v > best || (v != v && best == best)) best = v;
                    first = false;
                }
            }
            out[o] = best;
        }
    }

    ops::WindowAttrs m_window;
    const SimdKernels& m_simd;
};

class AveragePoolKernel final : public ReferenceBackedKernel {
public:
    AveragePoolKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : ReferenceBackedKernel(ops::find_op("AveragePool")->create(attributes, opset)),
              m_window(attributes),
              m_include_pad(attributes.get_int("count_include_pad", 0) != 0),
              m_simd(simd) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& xv = ctx.input(0);
        PoolGeometry g;
        if (!pool_geometry(m_window, xv, g)) {
            run_reference(ctx);
            return;
        }
        // The divisor of output (oy, ox) is the product of the positions counted along each axis (inside the
        // input, or inside the padded input with count_include_pad): 1 / count as two factors, 0 for no count.
        const std::vector<int64_t> row_count = counts(g, 1), col_count = counts(g, 2);
        const std::vector<float> row_scale = inverses(row_count), col_scale = inverses(col_count);
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        parallel_if(ctx, g.planes * g.oh, g.floats(), [&](int64_t begin, int64_t end) {
            thread_local RowScratch scratch;
            scratch.ensure(g);
            for (int64_t item = begin; item < end; ++item) {
                const int64_t p = item / g.oh, oy = item % g.oh;
                float* out = y + item * g.ow;
                pool_row(x + p * g.h * g.w, oy, g, scratch, out);
                const float rs = row_scale[static_cast<size_t>(oy)];
                bool finite = true;
                for (int64_t o = 0; o < g.ow; ++o) {
                    out[o] = out[o] * rs * col_scale[static_cast<size_t>(o)];
                    finite &= out[o] - out[o] == 0.f;
                }
                // An infinity or NaN, or float sums beyond the float range: the reference's double sums.
                if (!finite) exact_row(x + p * g.h * g.w, oy, g, row_count, col_count, out);
            }
        });
    }

private:
    // Window sums: padding adds nothing.
    void pool_row(const float* plane, int64_t oy, const PoolGeometry& g, RowScratch& s, float* out) const {
        const int nrows = window_rows(plane, oy, g, s.operands.data());
        const int64_t cols = nrows ? row_columns(g) : 0;
        pad_row(s.row.data(), cols, 0.f, g);
        if (cols) m_simd.sum_arrays(s.operands.data(), nrows, cols, s.row.data() + g.pw);
        column_taps(m_simd, g, s);
        m_simd.sum_arrays(s.operands.data(), static_cast<int>(g.kw), g.ow, out);
    }

    // The reference's sums in double, for one output row.
    static void exact_row(const float* plane, int64_t oy, const PoolGeometry& g, const std::vector<int64_t>& row_count,
                          const std::vector<int64_t>& col_count, float* out) {
        const int64_t ih0 = oy * g.sh - g.ph;
        const int64_t kh_begin = std::max<int64_t>(0, -ih0), kh_end = std::min(g.kh, g.h - ih0);
        for (int64_t o = 0; o < g.ow; ++o) {
            const int64_t iw0 = o * g.sw - g.pw;
            const int64_t kw_begin = std::max<int64_t>(0, -iw0), kw_end = std::min(g.kw, g.w - iw0);
            double sum = 0;
            for (int64_t kh = kh_begin; kh < kh_end; ++kh) {
                for (int64_t kw = kw_begin; kw < kw_end; ++kw) sum += plane[(ih0 + kh) * g.w + iw0 + kw];
            }
            const int64_t count = row_count[static_cast<size_t>(oy)] * col_count[static_cast<size_t>(o)];
            out[o] = count ? static_cast<float>(sum / double(count)) : 0.f;
        }
    }

    // The positions counted of each output along Window3 axis a (1: rows, 2: columns), as the reference counts.
    std::vector<int64_t> counts(const PoolGeometry& g, int a) const {
        const ops::Window3& w = g.window;
        std::vector<int64_t> count(static_cast<size_t>(w.out[a]), 0);
        for (int64_t o = 0; o < w.out[a]; ++o) {
            for (int64_t k = 0; k < w.kernel[a]; ++k) {
                const int64_t i = o * w.stride[a] - w.pad_begin[a] + k;
                count[static_cast<size_t>(o)] +=
                        m_include_pad ? i >= -w.pad_begin[a] && i < w.in[a] + w.pad_end[a] : i >= 0 && i < w.in[a];
            }
        }
        return count;
    }

    static std::vector<float> inverses(const std::vector<int64_t>& counts) {
        std::vector<float> scale(counts.size());
        for (size_t i = 0; i < counts.size(); ++i) scale[i] = counts[i] ? 1.f / static_cast<float>(counts[i]) : 0.f;
        return scale;
    }

    ops::WindowAttrs m_window;
    bool m_include_pad;
    const SimdKernels& m_simd;
};

class GlobalAveragePoolKernel final : public ReferenceBackedKernel {
public:
    GlobalAveragePoolKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : ReferenceBackedKernel(ops::find_op("GlobalAveragePool")->create(attributes, opset)), m_simd(simd) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& xv = ctx.input(0);
        if (xv.dtype != LITE_FLOAT || xv.shape.size() < 2) {
            run_reference(ctx);
            return;
        }
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t planes = xv.shape[0] * xv.shape[1];
        const int64_t size = planes ? xv.numel() / planes : 0;
        // A plane's sum costs about a third of what a pool does per float.
        parallel_if(ctx, planes, double(xv.numel()) / 3, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const float* plane = x + p * size;
                double sum = m_simd.row_sum(plane, size);
                if (sum - sum != 0) {  // an infinity or NaN, or a float sum beyond the float range: in double
                    sum = 0;
                    for (int64_t i = 0; i < size; ++i) sum += plane[i];
                }
                y[p] = size ? static_cast<float>(sum / double(size)) : 0.f;
            }
        });
    }

private:
    const SimdKernels& m_simd;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_max_pool_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<MaxPoolKernel>(attributes, opset, simd);
}

std::unique_ptr<ops::Kernel> make_average_pool_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<AveragePoolKernel>(attributes, opset, simd);
}

std::unique_ptr<ops::Kernel> make_global_average_pool_kernel(const ops::Attributes& attributes, int opset,
                                                             const SimdKernels& simd) {
    return std::make_unique<GlobalAveragePoolKernel>(attributes, opset, simd);
}

}  // namespace lite::backend::cpu
