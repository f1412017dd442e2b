// The Winograd F(4x4, 3x3) driver: weights transformed once, then per block of tiles (sized to stay in L2):
//   for each K block of input channels:
//     for each channel:  the six input rows of each run of tiles split by column phase into 24 phase planes
//                        (6 rows x 4 phases), then the 36 transformed values of every tile written as lanes of the
//                        packed GEMM B panels V(t)
//     for each t < 36:   M(t) += U(t) (maps x channels, packed A) . V(t) (channels x tiles), on the microkernel
//   for each map:        output transform with bias and activation into 16 output planes, then into output rows
// Tiles are numbered row by row over a grid one tile wider than the output needs (row_step = tiles per row + 1):
// columns 4-5 of a tile are columns 0-1 of the next lane, the extra tile's for the last tile of a row, so one
// vector load serves consecutive tiles across tile rows too, at the price of one unused tile per row.
#include "backends/cpu/winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace lite::backend::cpu {
namespace {

constexpr int64_t kTile = 4;      // outputs per tile side
constexpr int64_t kTaps = 36;     // 6x6 transformed values per tile
constexpr int64_t kPad = 16;      // floats between buffers that would otherwise be 4 KiB apart (cache aliasing)
// Floats of V and M(t) per block: about 640 KiB, so that they and the A panels in use stay in a 1 MiB L2.
constexpr int64_t kBlockFloats = 160 * 1024;

int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }
int64_t round_up(int64_t x, int64_t to) { return div_up(x, to) * to; }
// A stride of at least n floats that is a whole number of cache lines and not a multiple of 4 KiB.
int64_t padded(int64_t n) { return round_up(n, 16) + kPad; }

std::atomic<uint64_t> g_runs{0};

// Per-thread scratch of one block.
struct Scratch {
    AlignedBuffer planes, v, m, out;
};
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

int64_t k_block(int64_t channels) {
    const int64_t max_kc = std::clamp<int64_t>(gemm_tuning().kc, 1, SimdKernels::kWinogradKc);
    return div_up(channels, div_up(channels, max_kc));
}

// G (6x3) of F(4x4, 3x3): U = G g G^T.
constexpr double kG[6][3] = {{1.0 / 4, 0, 0},
                             {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                             {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                             {1.0 / 24, 1.0 / 12, 1.0 / 6},
                             {1.0 / 24, -1.0 / 12, 1.0 / 6},
                             {0, 0, 1}};

}  // namespace

// Tiles and blocks of one run.
struct WinogradConv::Plan {
    int64_t th, tw, row_step, tiles;  // tile rows, tiles per row with outputs, tiles per row (+1), th * row_step
    int64_t block;                    // tiles per block, a multiple of nr
    int64_t blocks;
};

WinogradTuning& winograd_tuning() {
    static WinogradTuning tuning;
    return tuning;
}

bool winograd_applies(const WinogradShape& s) {
    const WinogradTuning& t = winograd_tuning();
    if (!t.enabled || s.kh != 3 || s.kw != 3 || s.sh != 1 || s.sw != 1 || s.dh != 1 || s.dw != 1 || s.group != 1) return false;
    return s.channels >= t.min_channels && s.maps >= t.min_maps && s.oh * s.ow >= t.min_outputs && s.oh >= t.min_side &&
           s.ow >= t.min_side;
}

uint64_t winograd_runs() { return g_runs.load(std::memory_order_relaxed); }

void WinogradConv::prepare(const SimdKernels& simd, const ops::TensorView& wv, bool constant) {
    const int64_t maps = wv.shape[0], channels = wv.shape[1], kc = k_block(channels);
    if (constant && m_from == wv.data && m_shape == wv.shape && m_kc == kc && m_simd == &simd) return;
    const float* w = wv.as<float>();
    std::vector<float> u(static_cast<size_t>(kTaps * maps * channels));  // U(t)[m][c] at (t * maps + m) * channels + c
    for (int64_t m = 0; m < maps; ++m) {
        for (int64_t c = 0; c < channels; ++c) {
            const float* g = w + (m * channels + c) * 9;
            double gg[6][3];  // G g
            for (int a = 0; a < 6; ++a) {
                for (int j = 0; j < 3; ++j) gg[a][j] = kG[a][0] * g[j] + kG[a][1] * g[3 + j] + kG[a][2] * g[6 + j];
            }
            for (int a = 0; a < 6; ++a) {
                for (int b = 0; b < 6; ++b) {
                    const double v = gg[a][0] * kG[b][0] + gg[a][1] * kG[b][1] + gg[a][2] * kG[b][2];
                    u[static_cast<size_t>(((6 * a + b) * maps + m) * channels + c)] = static_cast<float>(v);
                }
            }
        }
    }
    m_u.resize(kTaps);
    for (int64_t t = 0; t < kTaps; ++t) {
        pack_a(simd, u.data() + t * maps * channels, channels, 1, maps, channels, kc, m_u[static_cast<size_t>(t)]);
    }
    m_simd = &simd;
    m_kc = kc;
    m_from = constant ? wv.data : nullptr;
    m_shape = wv.shape;
}

void WinogradConv::run(const float* x, const WinogradShape& s, const float* bias, const ops::Activation& act, float* y,
                       const ops::ParallelFor* parallel) const {
    g_runs.fetch_add(1, std::memory_order_relaxed);
    const int64_t nr = m_simd->nr, mpad = round_up(s.maps, m_simd->mr);
    Plan plan;
    plan.th = div_up(s.oh, kTile);
    plan.tw = div_up(s.ow, kTile);
    plan.row_step = plan.tw + 1;
    plan.tiles = plan.th * plan.row_step;
    const int64_t by_cache = kBlockFloats / (kTaps * (m_kc + mpad)) / nr * nr;
    const int64_t by_tuning = std::max<int64_t>(gemm_tuning().nc / nr * nr, nr);
    const int64_t most = SimdKernels::kWinogradTiles / nr * nr;
    plan.block = std::clamp<int64_t>(std::min({by_cache, by_tuning, most}), nr, std::min(most, round_up(plan.tiles, nr)));
    plan.blocks = div_up(plan.tiles, plan.block);

    const int64_t in_image = s.channels * s.h * s.w, out_image = s.maps * s.oh * s.ow;
    auto tasks = [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t n = task / plan.blocks, block = task % plan.blocks;
            run_block(x + n * in_image, s, plan, block * plan.block, bias, act, y + n * out_image);
        }
    };
    const int64_t count = s.batch * plan.blocks;
    // The GEMMs' flops plus about as much again for the transforms.
    const double flops = 2.0 * gemm_flops(s.maps, kTaps * plan.tiles, s.channels) * double(s.batch);
    if (parallel && count > 1 && flops >= gemm_tuning().serial_flops) {
        (*parallel)(count, tasks);
    } else {
        tasks(0, count);
    }
}

void WinogradConv::run_block(const float* x, const WinogradShape& s, const Plan& plan, int64_t n0, const float* bias,
                             const ops::Activation& act, float* y) const {
    const SimdKernels& simd = *m_simd;
    const int64_t nr = simd.nr, mr = simd.mr, mpad = round_up(s.maps, mr);
    const int64_t count = std::min(plan.block, plan.tiles - n0);
    const int64_t panels = div_up(count, nr), tp = panels * nr;
    const int64_t ps = SimdKernels::kWinogradPlaneStride, vt = SimdKernels::kWinogradVStride;
    const int64_t mt = padded(mpad * tp), os = padded(tp);
    Scratch& sc = scratch();
    float* planes = sc.planes.ensure(static_cast<size_t>(24 * ps));
    float* v = sc.v.ensure(static_cast<size_t>(kTaps * vt));
    float* m = sc.m.ensure(static_cast<size_t>(kTaps * mt));
    float* out = sc.out.ensure(static_cast<size_t>(16 * os));

    const int64_t plane = s.h * s.w;
    // The runs of tiles of one tile row in the block: fn(a, b, ty, tx) for tiles [a, b), the first at column tx.
    // Lanes reach one tile past the block (columns 4-5 of its last tile).
    auto for_each_run = [&](auto&& fn) {
        const int64_t end = n0 + tp + 1;
        for (int64_t ty = n0 / plan.row_step; ty * plan.row_step < end; ++ty) {
            const int64_t a = std::max(n0, ty * plan.row_step), b = std::min(end, (ty + 1) * plan.row_step);
            fn(a, b, ty, a - ty * plan.row_step);
        }
    };
    for (int64_t k0 = 0; k0 < s.channels; k0 += m_kc) {
        const int64_t klen = std::min(m_kc, s.channels - k0);
        for (int64_t c = k0; c < k0 + klen; ++c) {
            const float* xc = x + c * plane;
            // Phase plane (r, cq) lane i: input (4 ty + r - pt, 4 tx + cq - pl) of tile n0 + i = (ty, tx).
            for_each_run([&](int64_t a, int64_t b, int64_t ty, int64_t tx) {
                simd.winograd43_split(xc, s.h, s.w, kTile * ty - s.pt, kTile * tx - s.pl, b - a, planes + (a - n0));
            });
            simd.winograd43_input(planes, panels, v + (c - k0) * nr, klen * nr);
        }
        for (int64_t t = 0; t < kTaps; ++t) {
            const PackedA& u = m_u[static_cast<size_t>(t)];
            const float* vb = v + t * vt;
            float* mb = m + t * mt;
            for (int64_t i = 0; i < mpad; i += mr) {
                const float* ap = u.panel(k0, klen, i);
                for (int64_t p = 0; p < panels; ++p) {
                    simd.gemm(klen, ap, vb + p * klen * nr, nr, nullptr, mb + i * tp + p * nr, tp, static_cast<int>(mr),
                              static_cast<int>(nr), k0 > 0, nullptr, 0, 0);
                }
            }
        }
    }

    const int64_t out_plane = s.oh * s.ow;
    for (int64_t map = 0; map < s.maps; ++map) {
        simd.winograd43_output(m + map * tp, mt, tp, bias ? bias[map] : 0.f, act, out, os);
        float* ym = y + map * out_plane;
        for (int64_t ty = n0 / plan.row_step; ty * plan.row_step < n0 + count; ++ty) {
            // The block's tiles of this row that have outputs (not the extra tile).
            const int64_t a = std::max(n0, ty * plan.row_step), b = std::min(n0 + count, ty * plan.row_step + plan.tw);
            if (a >= b) continue;
            const int64_t tx = a - ty * plan.row_step;
            for (int64_t r = 0; r < kTile && kTile * ty + r < s.oh; ++r) {
                simd.winograd43_merge(out + r * 4 * os + (a - n0), os, b - a, s.ow - kTile * tx,
                                      ym + (kTile * ty + r) * s.ow + kTile * tx);
            }
        }
    }
}

}  // namespace lite::backend::cpu
