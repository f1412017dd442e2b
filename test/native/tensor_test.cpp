#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#include "lite/error.h"
#include "lite/global.h"
#include "lite/tensor.h"
#include "error_code.h"

using namespace lite;
using lite::test::code_of;

namespace {

template <typename T>
void fill_iota(Tensor& tensor) {
    auto* data = static_cast<T*>(tensor.get_memory_ptr());
    std::iota(data, data + tensor.get_layout().get_elem_count(), T(0));
}

template <typename T>
std::vector<T> read(const Tensor& tensor) {
    std::vector<T> out(tensor.get_layout().get_elem_count());
    tensor.copy_to_host(out.data(), out.size() * sizeof(T));
    return out;
}


}  // namespace

TEST(Tensor, AllocatesAlignedMemoryLazily) {
    Tensor tensor(LITE_CPU, Layout({3, 5}, LITE_FLOAT));
    EXPECT_EQ(tensor.get_storage_id(), nullptr);
    void* ptr = tensor.get_memory_ptr();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % kAlignment, 0u);
    EXPECT_NE(tensor.get_storage_id(), nullptr);
    EXPECT_EQ(tensor.get_tensor_total_size_in_byte(), 60u);
    EXPECT_TRUE(tensor.is_continue_memory());
    EXPECT_TRUE(tensor.is_host_accessible());
}

TEST(Tensor, FillZero) {
    Tensor tensor(LITE_CPU, Layout({4, 4}, LITE_INT));
    fill_iota<int32_t>(tensor);
    tensor.fill_zero();
    for (int32_t v : read<int32_t>(tensor)) EXPECT_EQ(v, 0);
}

TEST(Tensor, FillZeroOfAViewLeavesTheRest) {
    Tensor tensor(LITE_CPU, Layout({4, 4}, LITE_INT));
    fill_iota<int32_t>(tensor);
    tensor.slice({0, 1}, {4, 4}, {2, 2})->fill_zero();
    auto data = read<int32_t>(tensor);
    for (int i = 0; i < 16; ++i) {
        bool zeroed = (i / 4) % 2 == 0 && (i % 4) % 2 == 1;
        EXPECT_EQ(data[i], zeroed ? 0 : i) << i;
    }
}

TEST(Tensor, ShareMemoryOutlivesTheSource) {
    Tensor second;
    {
        Tensor first(LITE_CPU, Layout({8}, LITE_INT16));
        fill_iota<int16_t>(first);
        second.share_memory_with(first);
        EXPECT_EQ(second.get_storage_id(), first.get_storage_id());
        EXPECT_EQ(second.get_layout(), first.get_layout());
        static_cast<int16_t*>(first.get_memory_ptr())[3] = 99;
    }
    auto data = read<int16_t>(second);
    EXPECT_EQ(data[3], 99);
    EXPECT_EQ(data[7], 7);
}

TEST(Tensor, CopyFromTakesTheSourceLayout) {
    Tensor src(LITE_CPU, Layout({2, 3}, LITE_UINT8));
    fill_iota<uint8_t>(src);
    Tensor dst(LITE_CPU, Layout({10}, LITE_FLOAT));
    dst.copy_from(src);
    EXPECT_EQ(dst.get_layout(), src.get_layout());
    EXPECT_NE(dst.get_storage_id(), src.get_storage_id());
    EXPECT_EQ(read<uint8_t>(dst), (std::vector<uint8_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Tensor, CopyIntoAViewKeepsItsLayoutAndChecksIt) {
    Tensor big(LITE_CPU, Layout({4, 4}, LITE_FLOAT));
    big.fill_zero();
    auto view = big.slice({1, 1}, {3, 3});
    Tensor src(LITE_CPU, Layout({2, 2}, LITE_FLOAT));
    fill_iota<float>(src);
    view->copy_from(src);
    auto data = read<float>(big);
    EXPECT_EQ(data[5], 0.f);
    EXPECT_EQ(data[6], 1.f);
    EXPECT_EQ(data[9], 2.f);
    EXPECT_EQ(data[10], 3.f);
    Tensor wrong_shape(LITE_CPU, Layout({4}, LITE_FLOAT));
    EXPECT_EQ(code_of([&] { view->copy_from(wrong_shape); }), ErrorCode::ShapeMismatch);
    Tensor wrong_type(LITE_CPU, Layout({2, 2}, LITE_INT));
    EXPECT_EQ(code_of([&] { view->copy_from(wrong_type); }), ErrorCode::DtypeMismatch);
}

TEST(Tensor, CopyFromAnEmptyTensorIsAnError) {
    Tensor empty, dst(LITE_CPU, Layout({2}));
    EXPECT_EQ(code_of([&] { dst.copy_from(empty); }), ErrorCode::InvalidArgument);
}

TEST(Tensor, ReshapeWithOneInferredDim) {
    Tensor tensor(LITE_CPU, Layout({2, 3, 4}, LITE_FLOAT));
    fill_iota<float>(tensor);
    const void* storage = tensor.get_storage_id();
    tensor.reshape({4, -1});
    EXPECT_EQ(tensor.get_layout(), Layout({4, 6}, LITE_FLOAT));
    EXPECT_EQ(tensor.get_storage_id(), storage);
    EXPECT_EQ(read<float>(tensor)[23], 23.f);
    EXPECT_EQ(code_of([&] { tensor.reshape({-1, -1}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.reshape({5, -1}); }), ErrorCode::ShapeMismatch);
    EXPECT_EQ(code_of([&] { tensor.reshape({5, 5}); }), ErrorCode::ShapeMismatch);
    EXPECT_EQ(code_of([&] { tensor.reshape({0, 24}); }), ErrorCode::InvalidArgument);
}

TEST(Tensor, SliceIsAStridedViewWithClampedEnds) {
    Tensor tensor(LITE_CPU, Layout({4, 6}, LITE_INT));
    fill_iota<int32_t>(tensor);
    auto view = tensor.slice({1, 0}, {100, 6}, {2, 3});
    EXPECT_EQ(view->get_layout(), Layout({2, 2}, LITE_INT));
    EXPECT_FALSE(view->is_continue_memory());
    EXPECT_TRUE(view->is_view());
    EXPECT_EQ(view->get_storage_id(), tensor.get_storage_id());
    EXPECT_EQ(read<int32_t>(*view), (std::vector<int32_t>{6, 9, 18, 21}));
    EXPECT_EQ(*static_cast<int32_t*>(view->get_memory_ptr({1, 1})), 21);
    // Writes through the view reach the base tensor.
    *static_cast<int32_t*>(view->get_memory_ptr({0, 1})) = -1;
    EXPECT_EQ(read<int32_t>(tensor)[9], -1);
    EXPECT_EQ(code_of([&] { view->reshape({4}); }), ErrorCode::NotContiguous);
}

TEST(Tensor, SliceOfASliceComposes) {
    Tensor tensor(LITE_CPU, Layout({10}, LITE_INT));
    fill_iota<int32_t>(tensor);
    auto even = tensor.slice({0}, {10}, {2});       // 0 2 4 6 8
    auto inner = even->slice({1}, {4}, {2});        // 2 6
    EXPECT_EQ(read<int32_t>(*inner), (std::vector<int32_t>{2, 6}));
}

TEST(Tensor, SliceRejectsBadArguments) {
    Tensor tensor(LITE_CPU, Layout({4, 4}));
    EXPECT_EQ(code_of([&] { tensor.slice({0, 0}, {2, 2}, {1, 0}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.slice({0, 0}, {2}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.slice({0}, {2}, {1, 1}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.slice({3}, {2}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.slice({4}, {9}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { tensor.slice({0, 0, 0}, {1, 1, 1}); }), ErrorCode::InvalidArgument);
}

TEST(Tensor, ResetUsesCallerMemoryAndNeverFreesIt) {
    std::vector<float> memory(6, 2.5f);
    {
        Tensor tensor(LITE_CPU, Layout({2, 3}, LITE_FLOAT));
        tensor.reset(memory.data(), memory.size() * sizeof(float));
        EXPECT_EQ(tensor.get_memory_ptr(), memory.data());
        static_cast<float*>(tensor.get_memory_ptr())[0] = 7.f;
        Tensor other(LITE_CPU, Layout({3}, LITE_INT));
        other.reset(memory.data(), Layout({3}, LITE_INT));
        EXPECT_EQ(other.get_layout(), Layout({3}, LITE_INT));
    }
    EXPECT_EQ(memory[0], 7.f);  // still ours, still valid (ASan would flag a free)
    Tensor small(LITE_CPU, Layout({100}, LITE_FLOAT));
    EXPECT_EQ(code_of([&] { small.reset(memory.data(), 8); }), ErrorCode::ShapeMismatch);
}

TEST(Tensor, ResetKeepsTheOwnerAliveWhileAnyViewUsesIt) {
    auto owner = std::make_shared<std::vector<int32_t>>(4, 5);
    std::weak_ptr<std::vector<int32_t>> watch = owner;
    auto tensor = std::make_unique<Tensor>(LITE_CPU, Layout({4}, LITE_INT));
    tensor->reset(owner->data(), Layout({4}, LITE_INT), owner);
    owner.reset();
    auto view = tensor->slice({1}, {3});
    tensor.reset();
    EXPECT_FALSE(watch.expired());
    EXPECT_EQ(read<int32_t>(*view), (std::vector<int32_t>{5, 5}));
    view.reset();
    EXPECT_TRUE(watch.expired());
}

TEST(Tensor, CopyIntoTooSmallCallerMemoryIsAnError) {
    std::vector<float> memory(2);
    Tensor dst(LITE_CPU, Layout({2}, LITE_FLOAT));
    dst.reset(memory.data(), Layout({2}, LITE_FLOAT));
    Tensor src(LITE_CPU, Layout({8}, LITE_FLOAT));
    src.fill_zero();
    EXPECT_EQ(code_of([&] { dst.copy_from(src); }), ErrorCode::ShapeMismatch);
}

TEST(Tensor, ConcatAlongAnyDim) {
    auto a = std::make_shared<Tensor>(LITE_CPU, Layout({2, 2}, LITE_INT));
    auto b = std::make_shared<Tensor>(LITE_CPU, Layout({2, 3}, LITE_INT));
    fill_iota<int32_t>(*a);
    fill_iota<int32_t>(*b);
    auto joined = TensorUtils::concat({a, b}, -1);
    EXPECT_EQ(joined->get_layout(), Layout({2, 5}, LITE_INT));
    EXPECT_EQ(read<int32_t>(*joined), (std::vector<int32_t>{0, 1, 0, 1, 2, 2, 3, 3, 4, 5}));
    auto c = std::make_shared<Tensor>(LITE_CPU, Layout({1, 2}, LITE_INT));
    fill_iota<int32_t>(*c);
    auto rows = TensorUtils::concat({a, c}, 0);
    EXPECT_EQ(read<int32_t>(*rows), (std::vector<int32_t>{0, 1, 2, 3, 0, 1}));
    EXPECT_EQ(code_of([&] { TensorUtils::concat({a, b}, 0); }), ErrorCode::ShapeMismatch);
    EXPECT_EQ(code_of([&] { TensorUtils::concat({a, b}, 2); }), ErrorCode::InvalidArgument);
    auto f = std::make_shared<Tensor>(LITE_CPU, Layout({2, 2}, LITE_FLOAT));
    EXPECT_EQ(code_of([&] { TensorUtils::concat({a, f}, 0); }), ErrorCode::DtypeMismatch);
    EXPECT_EQ(code_of([&] { TensorUtils::concat({}, 0); }), ErrorCode::InvalidArgument);
}

TEST(Tensor, PinnedFlagIsKept) {
    Tensor tensor(LITE_CPU, Layout({16}, LITE_FLOAT), true);
    EXPECT_TRUE(tensor.is_pinned_host());
    EXPECT_TRUE(tensor.is_host_accessible());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.get_memory_ptr()) % kAlignment, 0u);
    EXPECT_EQ(code_of([] { Tensor t(LITE_OPENCL, Layout({1}), true); }), ErrorCode::InvalidArgument);
}

TEST(Tensor, CopyStatsCountHostCopies) {
    Tensor src(LITE_CPU, Layout({256}, LITE_FLOAT)), dst(LITE_CPU, Layout({256}, LITE_FLOAT));
    src.fill_zero();
    auto before = get_copy_stats();
    dst.copy_from(src);
    auto after = get_copy_stats();
    EXPECT_EQ(after.host_to_host - before.host_to_host, 1024u);
    EXPECT_EQ(after.host_to_device, before.host_to_device);
    // Sharing and slicing copy nothing.
    Tensor alias;
    alias.share_memory_with(src);
    src.slice({0}, {10});
    EXPECT_EQ(get_copy_stats().host_to_host, after.host_to_host);
}

// Every device this machine has: CPU always, OpenCL on PoCL here, CUDA on a GPU machine. Copies between every
// pair, with views on both sides, must round-trip and be counted in the right direction.
class DeviceCopy : public ::testing::TestWithParam<std::pair<LiteDeviceType, LiteDeviceType>> {};

TEST_P(DeviceCopy, RoundTripsBetweenDevices) {
    auto [from, to] = GetParam();
    if (get_device_count(from) == 0 || get_device_count(to) == 0) {
        GTEST_SKIP() << "no " << device_name(from) << " or " << device_name(to) << " device on this machine";
    }
    Tensor host(LITE_CPU, Layout({6, 5}, LITE_INT));
    fill_iota<int32_t>(host);
    Tensor a(from, Layout{}), b(to, Layout{});
    a.copy_from(host);
    auto before = get_copy_stats();
    b.copy_from(a);
    auto after = get_copy_stats();
    bool from_host = from == LITE_CPU, to_host = to == LITE_CPU;
    uint64_t counted = from_host ? (to_host ? after.host_to_host - before.host_to_host
                                            : after.host_to_device - before.host_to_device)
                                 : (to_host ? after.device_to_host - before.device_to_host
                                            : after.device_to_device - before.device_to_device);
    EXPECT_EQ(counted, 120u);
    EXPECT_EQ(read<int32_t>(b), read<int32_t>(host));
    // A strided view on the source device, copied out and zeroed in place.
    auto view = b.slice({1, 1}, {6, 5}, {2, 3});
    EXPECT_EQ(read<int32_t>(*view), (std::vector<int32_t>{6, 9, 16, 19, 26, 29}));
    Tensor back(LITE_CPU, Layout{});
    back.copy_from(*view);
    EXPECT_EQ(read<int32_t>(back), (std::vector<int32_t>{6, 9, 16, 19, 26, 29}));
    view->fill_zero();
    auto zeroed = read<int32_t>(b);
    EXPECT_EQ(zeroed[6], 0);
    EXPECT_EQ(zeroed[7], 7);
    auto joined = TensorUtils::concat({std::make_shared<Tensor>(std::move(b))}, 0, LITE_CPU);
    EXPECT_EQ(read<int32_t>(*joined), zeroed);
}

INSTANTIATE_TEST_SUITE_P(AllPairs, DeviceCopy,
                         ::testing::Values(std::make_pair(LITE_CPU, LITE_CPU), std::make_pair(LITE_CPU, LITE_OPENCL),
                                           std::make_pair(LITE_OPENCL, LITE_CPU),
                                           std::make_pair(LITE_OPENCL, LITE_OPENCL),
                                           std::make_pair(LITE_CPU, LITE_CUDA), std::make_pair(LITE_CUDA, LITE_CPU),
                                           std::make_pair(LITE_CUDA, LITE_CUDA),
                                           std::make_pair(LITE_CUDA, LITE_OPENCL)),
                         [](const auto& info) {
                             return std::string(device_name(info.param.first)) + "_to_" +
                                    device_name(info.param.second);
                         });
