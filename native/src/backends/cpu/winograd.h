// Winograd F(4x4, 3x3) convolution for the CPU Conv kernel: 3x3, stride 1, dilation 1, ungrouped 2-D float32
// convolutions in NCHW computed as 36 GEMMs over transformed 6x6 input tiles (2.25 instead of 9 multiplies per
// output and input channel), with the bias and the fused activation applied in the output transform.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/cpu/sgemm.h"
#include "ops/op.h"

namespace lite::backend::cpu {

//! A 2-D convolution as the Winograd path sees it: NCHW input [batch, channels, h, w], weights
//! [maps, channels, kh, kw], output [batch, maps, oh, ow], pads before (pt, pl); pads after follow from oh, ow.
struct WinogradShape {
    int64_t batch, channels, maps, h, w, oh, ow, pt, pl;
    int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1, group = 1;
};

//! When Conv takes the Winograd path. Measured on Zen 5 (AVX-512, 1 thread) against the im2col GEMM: Winograd wins
//! 1.5-4x from 14x14 outputs up with 8 or more input channels; below ~12x12 most lanes of its 32-tile GEMM panels
//! are padding, and with few input channels and many maps its output transform costs more than the GEMM saves.
//! Benchmarks switch it off to compare; change it only while no kernel runs.
struct WinogradTuning {
    bool enabled = true;
    int64_t min_channels = 8, min_maps = 4;
    int64_t min_outputs = 196;  //!< output pixels per map (oh * ow)
    int64_t min_side = 6;       //!< oh and ow (tiles are 4x4: thinner outputs compute mostly padding)
};
WinogradTuning& winograd_tuning();

//! Whether Conv runs a convolution of this shape with Winograd: 3x3, stride 1, dilation 1, group 1, and as large
//! as winograd_tuning() asks.
bool winograd_applies(const WinogradShape& s);

//! Convolutions run by the Winograd path in this process (tests check that the path is taken).
uint64_t winograd_runs();

//! One convolution's transformed weights and their use. Not thread-safe: one run at a time (the Conv kernel
//! holds its lock).
class WinogradConv {
public:
    //! Transforms w (maps x channels x 3 x 3) into the 36 GEMM A operands, unless the same constant weights with
    //! the same blocking are transformed already.
    void prepare(const SimdKernels& simd, const ops::TensorView& w, bool constant);

    //! y = act(conv(x, w) + bias) for every image; bias (maps floats) may be nullptr. Tile blocks are spread
    //! over `parallel` when the work is large enough (nullptr: calling thread only).
    void run(const float* x, const WinogradShape& s, const float* bias, const ops::Activation& act, float* y,
             const ops::ParallelFor* parallel) const;

private:
    struct Plan;
    void run_block(const float* x, const WinogradShape& s, const Plan& plan, int64_t n0, const float* bias,
                   const ops::Activation& act, float* y) const;

    const SimdKernels* m_simd = nullptr;
    int64_t m_kc = 0;
    std::vector<PackedA> m_u;  // U(t) = (G g G^T)(t), maps x channels, for t = 6 * row + col of the 6x6 tile
    const void* m_from = nullptr;
    ops::Shape m_shape;
};

}  // namespace lite::backend::cpu
