#include <gtest/gtest.h>

#include <random>

#include "core/strided_copy.h"

using namespace lite;

namespace {
// Reference: one element at a time through explicit index arithmetic.
ptrdiff_t offset_of(const std::vector<size_t>& index, const std::vector<ptrdiff_t>& strides) {
    ptrdiff_t offset = 0;
    for (size_t i = 0; i < index.size(); ++i) offset += static_cast<ptrdiff_t>(index[i]) * strides[i];
    return offset;
}
}  // namespace

TEST(StridedCopy, ContiguousIsOneRun) {
    int runs = 0;
    for_each_run({2, 3, 4}, contiguous_strides({2, 3, 4}), contiguous_strides({2, 3, 4}), 4,
                 [&](ptrdiff_t d, ptrdiff_t s, size_t n) {
                     ++runs;
                     EXPECT_EQ(d, 0);
                     EXPECT_EQ(s, 0);
                     EXPECT_EQ(n, 96u);
                 });
    EXPECT_EQ(runs, 1);
}

TEST(StridedCopy, ZeroSizedShapeHasNoRuns) {
    int runs = 0;
    for_each_run({2, 0, 4}, {0, 4, 1}, {0, 4, 1}, 4, [&](ptrdiff_t, ptrdiff_t, size_t) { ++runs; });
    EXPECT_EQ(runs, 0);
}

// Random shapes and random positive strides: every element is visited once, at the right offsets.
TEST(StridedCopy, RandomViewsMatchElementwiseReference) {
    std::mt19937 rng(1234);
    for (int trial = 0; trial < 300; ++trial) {
        size_t ndim = 1 + rng() % 5;
        std::vector<size_t> shape(ndim);
        for (auto& d : shape) d = 1 + rng() % 5;
        auto make_strides = [&] {
            std::vector<ptrdiff_t> strides(ndim);
            ptrdiff_t stride = 1 + static_cast<ptrdiff_t>(rng() % 2);
            for (size_t i = ndim; i-- > 0;) {
                strides[i] = stride;
                stride *= static_cast<ptrdiff_t>(shape[i]) * (1 + static_cast<ptrdiff_t>(rng() % 2));
            }
            return strides;
        };
        auto dst_strides = make_strides(), src_strides = make_strides();
        size_t count = 1;
        for (auto d : shape) count *= d;
        // Expected (dst, src) element pairs.
        std::vector<std::pair<ptrdiff_t, ptrdiff_t>> expected, seen;
        std::vector<size_t> index(ndim, 0);
        for (size_t k = 0; k < count; ++k) {
            expected.emplace_back(offset_of(index, dst_strides), offset_of(index, src_strides));
            for (size_t d = ndim; d-- > 0;) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        const size_t esize = 2;
        for_each_run(shape, dst_strides, src_strides, esize, [&](ptrdiff_t d, ptrdiff_t s, size_t n) {
            ASSERT_EQ(n % esize, 0u);
            for (size_t e = 0; e < n / esize; ++e) {
                seen.emplace_back(d / 2 + static_cast<ptrdiff_t>(e), s / 2 + static_cast<ptrdiff_t>(e));
            }
        });
        ASSERT_EQ(seen, expected) << "trial " << trial;
    }
}
