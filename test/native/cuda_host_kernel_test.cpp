// The CUDA kernels' per-thread and per-tile code, run on the CPU by the host harness (kernels/emulate.h) over the
// exact grid each launch function configures, against the reference kernels (cuda_kernel_suite.h). The kernels are
// plain C++ here, so this runs on every build, with or without the CUDA toolkit.
#include <gtest/gtest.h>

#include <memory>

#include "cuda_kernel_suite.h"

namespace k = lite::backend::cuda::kernels;
using lite::test::HostRunner;

EDGELITE_CUDA_KERNEL_SUITE(CudaHostKernels, std::make_unique<HostRunner>(), 1)

// The harness itself: it ran what the launch shapes asked for, tiled kernels in phases.
TEST(CudaHostKernels, HarnessRanGridsAndPhases) {
    const k::EmulationStats before = k::emulation_stats();
    HostRunner r;
    EXPECT_EQ(lite::test::suite_gemm(r, 3, 99), 3);
    const k::EmulationStats& after = k::emulation_stats();
    EXPECT_EQ(after.launches - before.launches, 3);
    EXPECT_GT(after.blocks - before.blocks, 2);
    EXPECT_GT(after.phases - before.phases, 3 * 3);  // clear, load+accumulate per K tile, store
    // A launch shape is what the device gets: the GEMM's tiles cover the output, with remainders.
    k::GemmArgs g;
    g.m = 65, g.n = 129, g.k = 3;
    const k::LaunchShape l = k::GemmKernel::launch(g);
    EXPECT_EQ(l.grid.x, 3u);
    EXPECT_EQ(l.grid.y, 2u);
    EXPECT_EQ(l.grid.z, 1u);
    EXPECT_EQ(l.block.x, 256u);
}
