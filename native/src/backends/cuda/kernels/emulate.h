// The host harness: runs a kernel of kernels/*.cuh on the CPU over exactly the grid its launch function configures,
// block by block. A per-thread kernel runs thread(args, pos) for every thread; a tiled kernel runs its block program
// with HostThreads, where each phase runs every thread of the block in turn before the next phase starts (what
// __syncthreads() guarantees on the device). The shared tile starts as NaN bytes, and odd blocks run their threads in
// reverse order, so a read of shared memory that a missing barrier or another thread's phase would feed shows up.
#pragma once

#include <cstring>
#include <vector>

#include "backends/cuda/kernels/kernels.cuh"

namespace lite::backend::cuda::kernels {

//! The threads of one block in the host emulation: one State per thread, phases run thread after thread.
template <typename State>
class HostThreads {
public:
    HostThreads(const LaunchShape& launch, const Dim3& block, bool reverse) : m_reverse(reverse) {
        for (unsigned z = 0; z < launch.block.z; ++z)
            for (unsigned y = 0; y < launch.block.y; ++y)
                for (unsigned x = 0; x < launch.block.x; ++x) {
                    GridPos at;
                    at.block = block;
                    at.thread = {x, y, z};
                    at.blocks = launch.grid;
                    at.threads = launch.block;
                    m_pos.push_back(at);
                }
        m_state.resize(m_pos.size());
    }
    //! The block's position (the same for every thread but threadIdx): for uniform, block-level decisions.
    const GridPos& pos() const { return m_pos[0]; }
    template <typename Fn>
    void each(Fn&& fn) {
        ++m_phases;
        const size_t n = m_pos.size();
        for (size_t k = 0; k < n; ++k) {
            const size_t i = m_reverse ? n - 1 - k : k;
            fn(m_pos[i], m_state[i]);
        }
    }
    int64_t phases() const { return m_phases; }

private:
    std::vector<GridPos> m_pos;
    std::vector<State> m_state;
    bool m_reverse;
    int64_t m_phases = 0;
};

//! What an emulated launch did: blocks and thread runs (per-thread kernels) or phases (tiled kernels).
struct EmulationStats {
    int64_t launches = 0, blocks = 0, threads = 0, phases = 0;
};

inline EmulationStats& emulation_stats() {
    static EmulationStats stats;
    return stats;
}

//! Runs kernel K over its launch grid on the host.
template <typename K>
void emulate(const typename K::Args& args) {
    const LaunchShape launch = K::launch(args);
    EmulationStats& stats = emulation_stats();
    ++stats.launches;
    for (unsigned bz = 0; bz < launch.grid.z; ++bz)
        for (unsigned by = 0; by < launch.grid.y; ++by)
            for (unsigned bx = 0; bx < launch.grid.x; ++bx) {
                const Dim3 block{bx, by, bz};
                ++stats.blocks;
                if constexpr (K::kTiled) {
                    std::vector<typename K::Tile> tile(1);  // on the heap: tiles are up to a few KiB
                    std::memset(static_cast<void*>(tile.data()), 0xff, sizeof(typename K::Tile));
                    HostThreads<typename K::State> threads(launch, block, (bx + by + bz) % 2 == 1);
                    K::block(args, tile[0], threads);
                    stats.phases += threads.phases();
                } else {
                    for (unsigned tz = 0; tz < launch.block.z; ++tz)
                        for (unsigned ty = 0; ty < launch.block.y; ++ty)
                            for (unsigned tx = 0; tx < launch.block.x; ++tx) {
                                GridPos at;
                                at.block = block;
                                at.thread = {tx, ty, tz};
                                at.blocks = launch.grid;
                                at.threads = launch.block;
                                K::thread(args, at);
                                ++stats.threads;
                            }
                }
            }
}

}  // namespace lite::backend::cuda::kernels
