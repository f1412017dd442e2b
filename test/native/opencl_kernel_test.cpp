// The reference kernel is the oracle, for the OpenCL kernels (backends/opencl/opencl_kernels.h): each launch
// function runs on the first OpenCL device (PoCL here) over random shapes, strides, pads, groups, dilations,
// broadcasts and ranks, its inputs packed at odd element offsets into one buffer (as the memory planner places
// tensors), and is compared with the op's CPU reference kernel on the same inputs; bytes outside the outputs must
// be left alone. Also: the program's disk cache is used by a second cache and survives a corrupt file. Skipped,
// saying why, where no OpenCL device is present. A failure prints the combination that failed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>

#include "opencl_test_harness.h"

using namespace lite;
using namespace edgelite_test_opencl;

TEST(OpenClKernels, Conv) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8101);
    int cases = 0;
    while (cases < 150) {
        const bool one_d = rng.chance(0.1);
        const int kind = static_cast<int>(rng.range(0, 9));  // 0-3 dense, 4-5 depthwise, 6 multiplier, 7 grouped, 8-9 1x1
        int64_t group = 1, c = rng.range(1, 9), m = rng.range(1, 20);
        if (kind == 4 || kind == 5) group = c = m = rng.range(1, 12);
        if (kind == 6) group = c = rng.range(2, 6), m = 2 * c;
        if (kind == 7) group = rng.range(2, 3), c = group * rng.range(1, 4), m = group * rng.range(1, 5);
        if (kind >= 8) c = rng.range(1, 40), m = rng.range(1, 40), group = rng.chance(0.2) ? 2 : 1, c *= group, m *= group;
        const int64_t n = rng.chance(0.2) ? 2 : 1;
        const int64_t h = one_d ? 1 : rng.range(1, 17), w = rng.range(1, one_d ? 40 : 17);
        int64_t kh = one_d ? 1 : rng.pick<int64_t>({1, 2, 3, 3, 5}), kw = rng.chance(0.7) && !one_d ? kh : rng.pick<int64_t>({1, 3, 5, 7});
        int64_t sh = one_d ? 1 : rng.pick<int64_t>({1, 1, 2, 3}), sw = rng.pick<int64_t>({1, 1, 2, 3});
        int64_t dh = !one_d && rng.chance(0.15) ? 2 : 1, dw = rng.chance(0.15) ? 2 : 1;
        std::vector<int64_t> pads{one_d ? 0 : rng.range(0, 3), rng.range(0, 3), one_d ? 0 : rng.range(0, 3), rng.range(0, 3)};
        if (kind >= 8) kh = kw = sh = sw = dh = dw = 1, pads = {0, 0, 0, 0};
        const int64_t oh = conv_out(h, kh, sh, dh, pads[0], pads[2]), ow = conv_out(w, kw, sw, dw, pads[1], pads[3]);
        if (oh <= 0 || ow <= 0) continue;
        ++cases;
        const bool bias = rng.chance(0.6);
        const int64_t residual_maps = rng.chance(0.2) ? (rng.chance(0.5) ? m : rng.range(0, m)) : 0;
        const ops::Activation act = rng.chance(0.5) ? rng.activation() : ops::Activation{};
        // The reference runs 1-D convolutions as rank 3, the device as H = 1.
        ops::Shape xs{n, c, h, w}, ws{m, c / group, kh, kw}, rs{n, residual_maps, oh, ow};
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", {kh, kw}), ints_attr("strides", {sh, sw}),
                                           ints_attr("dilations", {dh, dw}), ints_attr("pads", pads), int_attr("group", group)};
        if (one_d) {
            xs = {n, c, w}, ws = {m, c / group, kw}, rs = {n, residual_maps, ow};
            attrs = {ints_attr("kernel_shape", {kw}), ints_attr("strides", {sw}), ints_attr("dilations", {dw}),
                     ints_attr("pads", {pads[1], pads[3]}), int_attr("group", group)};
        }
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs))), wt = HostTensor::of(ws, rng.values(ops::numel(ws)), true);
        HostTensor b = HostTensor::of({m}, rng.values(m), true), r = HostTensor::of(rs, rng.values(ops::numel(rs)));
        std::vector<const HostTensor*> inputs{&x, &wt, bias ? &b : nullptr};
        if (residual_maps > 0) inputs.push_back(&r);
        const Reference want = reference("Conv", attrs, 13, inputs, act, residual_maps > 0);
        ocl::Conv2dParams p;
        p.n = n, p.c = c, p.h = h, p.w = w, p.m = m, p.oh = oh, p.ow = ow, p.kh = kh, p.kw = kw, p.stride_h = sh, p.stride_w = sw;
        p.dilation_h = dh, p.dilation_w = dw, p.pad_top = pads[0], p.pad_left = pads[1], p.group = group, p.activation = act;
        const std::string why = run_case(
                *dev, rng, want, (c / group) * kh * kw,
                [&](Arena& arena) {
                    return std::vector<ocl::ClTensor>{arena.input(x.floats()), arena.input(wt.floats()),
                                                      bias ? arena.input(b.floats()) : ocl::ClTensor{},
                                                      residual_maps ? arena.input(r.floats()) : ocl::ClTensor{}};
                },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    if (!bias) t[2] = {};
                    if (!residual_maps) t[3] = {};
                    return ocl::conv2d(l, p, t[0], t[1], t[2], y, t[3], residual_maps);
                });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " W " << join(ws) << " group " << group << " strides "
                           << join({sh, sw}) << " dilations " << join({dh, dw}) << " pads " << join(pads) << " bias " << bias
                           << " residual maps " << residual_maps << " act " << act.name();
    }
    report("Conv", cases, 150);
}

TEST(OpenClKernels, ConvTranspose) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8102);
    int cases = 0;
    while (cases < 60) {
        const int64_t group = rng.chance(0.3) ? rng.range(2, 3) : 1;
        const int64_t c = group * rng.range(1, 4), gm = rng.range(1, 5), m = gm * group, n = rng.chance(0.2) ? 2 : 1;
        const int64_t h = rng.range(1, 9), w = rng.range(1, 9), kh = rng.pick<int64_t>({1, 2, 3, 4}), kw = rng.pick<int64_t>({1, 2, 3, 4});
        const int64_t sh = rng.range(1, 3), sw = rng.range(1, 3), dh = rng.chance(0.2) ? 2 : 1, dw = rng.chance(0.2) ? 2 : 1;
        const std::vector<int64_t> pads{rng.range(0, 2), rng.range(0, 2), rng.range(0, 2), rng.range(0, 2)};
        const std::vector<int64_t> out_pad{rng.range(0, sh - 1), rng.range(0, sw - 1)};
        const int64_t oh = sh * (h - 1) + out_pad[0] + (kh - 1) * dh + 1 - pads[0] - pads[2];
        const int64_t ow = sw * (w - 1) + out_pad[1] + (kw - 1) * dw + 1 - pads[1] - pads[3];
        if (oh <= 0 || ow <= 0) continue;
        ++cases;
        const bool bias = rng.chance(0.6);
        const ops::Activation act = rng.chance(0.5) ? rng.activation() : ops::Activation{};
        HostTensor x = HostTensor::of({n, c, h, w}, rng.values(n * c * h * w));
        HostTensor wt = HostTensor::of({c, gm, kh, kw}, rng.values(c * gm * kh * kw), true);
        HostTensor b = HostTensor::of({m}, rng.values(m), true);
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", {kh, kw}), ints_attr("strides", {sh, sw}),
                                           ints_attr("dilations", {dh, dw}), ints_attr("pads", pads),
                                           ints_attr("output_padding", out_pad), int_attr("group", group)};
        const Reference want = reference("ConvTranspose", attrs, 13, {&x, &wt, bias ? &b : nullptr}, act);
        ocl::Conv2dParams p;
        p.n = n, p.c = c, p.h = h, p.w = w, p.m = m, p.oh = oh, p.ow = ow, p.kh = kh, p.kw = kw, p.stride_h = sh, p.stride_w = sw;
        p.dilation_h = dh, p.dilation_w = dw, p.pad_top = pads[0], p.pad_left = pads[1], p.group = group, p.activation = act;
        const std::string why = run_case(
                *dev, rng, want, (c / group) * kh * kw,
                [&](Arena& arena) {
                    return std::vector<ocl::ClTensor>{arena.input(x.floats()), arena.input(wt.floats()), arena.input(b.floats())};
                },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return ocl::conv_transpose2d(l, p, t[0], t[1], bias ? t[2] : ocl::ClTensor{}, y);
                });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join({n, c, h, w}) << " W " << join({c, gm, kh, kw}) << " group "
                           << group << " strides " << join({sh, sw}) << " dilations " << join({dh, dw}) << " pads " << join(pads)
                           << " output_padding " << join(out_pad) << " bias " << bias << " act " << act.name();
    }
    report("ConvTranspose", cases, 60);
}

TEST(OpenClKernels, Gemm) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8103);
    int cases = 0;
    for (; cases < 60; ++cases) {
        const int64_t m = rng.range(1, 40), n = rng.range(1, 40), k = rng.chance(0.2) ? rng.range(40, 90) : rng.range(1, 20);
        const bool ta = rng.chance(0.5), tb = rng.chance(0.5);
        const float alpha = rng.chance(0.5) ? 1.f : 0.5f, beta = rng.chance(0.5) ? 1.f : -2.f;
        const int c_kind = static_cast<int>(rng.range(0, 7));  // none, [], [N], [1], [M,N], [1,N], [M,1], [1,1]
        ops::Shape cs;
        switch (c_kind) {
            case 2: cs = {n}; break;
            case 3: cs = {1}; break;
            case 4: cs = {m, n}; break;
            case 5: cs = {1, n}; break;
            case 6: cs = {m, 1}; break;
            case 7: cs = {1, 1}; break;
            default: break;
        }
        const ops::Activation act = rng.chance(0.4) ? rng.activation() : ops::Activation{};
        HostTensor a = HostTensor::of(ta ? ops::Shape{k, m} : ops::Shape{m, k}, rng.values(m * k));
        HostTensor b = HostTensor::of(tb ? ops::Shape{n, k} : ops::Shape{k, n}, rng.values(k * n), rng.chance(0.5));
        HostTensor c = HostTensor::of(cs, rng.values(ops::numel(cs)), true);
        std::vector<onnx::Attribute> attrs{int_attr("transA", ta), int_attr("transB", tb), float_attr("alpha", alpha), float_attr("beta", beta)};
        const Reference want = reference("Gemm", attrs, 13, {&a, &b, c_kind ? &c : nullptr}, act);
        ocl::GemmParams p;
        p.m = m, p.n = n, p.k = k, p.trans_a = ta, p.trans_b = tb, p.alpha = alpha, p.beta = beta, p.c_shape = cs;
        p.has_c = c_kind != 0, p.activation = act;
        const std::string why = run_case(
                *dev, rng, want, k,
                [&](Arena& arena) {
                    return std::vector<ocl::ClTensor>{arena.input(a.floats()), arena.input(b.floats()), arena.input(c.floats())};
                },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::gemm(l, p, t[0], t[1], t[2], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": M " << m << " N " << n << " K " << k << " transA " << ta << " transB " << tb
                           << " alpha " << alpha << " beta " << beta << " C " << (c_kind ? join(cs) : "none") << " act " << act.name();
    }
    report("Gemm", cases, 60);
}

TEST(OpenClKernels, MatMul) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8104);
    int cases = 0;
    for (; cases < 60; ++cases) {
        const int64_t m = rng.range(1, 35), n = rng.range(1, 35), k = rng.range(1, 40);
        const size_t batch_rank = static_cast<size_t>(rng.range(0, 4));
        const ops::Shape batch = rng.shape(batch_rank, 1, 3);
        auto operand = [&](int64_t rows, int64_t cols, bool vector_ok) {
            if (vector_ok && rng.chance(0.15)) return ops::Shape{rows == 1 ? cols : rows};
            ops::Shape s;
            const size_t drop = static_cast<size_t>(rng.range(0, static_cast<int64_t>(batch_rank)));
            for (size_t i = drop; i < batch_rank; ++i) s.push_back(rng.chance(0.3) ? 1 : batch[i]);
            s.push_back(rows);
            s.push_back(cols);
            return s;
        };
        ops::Shape as = operand(m, k, false), bs = operand(k, n, false);
        if (rng.chance(0.1)) as = {k};
        if (rng.chance(0.1)) bs = {k};
        const ops::Activation act = rng.chance(0.3) ? rng.activation() : ops::Activation{};
        HostTensor a = HostTensor::of(as, rng.values(ops::numel(as))), b = HostTensor::of(bs, rng.values(ops::numel(bs)));
        const Reference want = reference("MatMul", {}, 13, {&a, &b}, act);
        const std::string why = run_case(
                *dev, rng, want, k,
                [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(a.floats()), arena.input(b.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::matmul(l, as, bs, act, t[0], t[1], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": A " << join(as) << " B " << join(bs) << " act " << act.name();
    }
    report("MatMul", cases, 60);
}

TEST(OpenClKernels, Binary) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8105);
    const char* names[] = {"Add", "Sub", "Mul", "Div", "PRelu"};
    int cases = 0;
    for (; cases < 120; ++cases) {
        const int op = static_cast<int>(rng.range(0, 4));
        const size_t rank = static_cast<size_t>(rng.range(1, 6));
        const ops::Shape out = rng.shape(rank, 1, rank > 4 ? 3 : 6);
        // Each input: the output's trailing dims, some of them 1 (PRelu: the slope only).
        auto broadcast = [&](bool full) {
            if (full) return out;
            ops::Shape s(out.begin() + rng.range(0, static_cast<int64_t>(rank)), out.end());
            for (auto& d : s) if (rng.chance(0.4)) d = 1;
            return s;
        };
        const bool swap = op != 4 && rng.chance(0.5);
        ops::Shape as = broadcast(!swap), bs = broadcast(swap || rng.chance(0.15));
        if (op != 4 && rng.chance(0.3)) as = broadcast(false);  // both broadcast
        HostTensor a = HostTensor::of(as, rng.values(ops::numel(as))), b = HostTensor::of(bs, rng.values(ops::numel(bs)));
        if (op == 3) {  // Div: denominators away from 0
            std::vector<float> v = b.floats();
            for (float& x : v) x = x >= 0 ? x + 0.5f : x - 0.5f;
            b = HostTensor::of(bs, v);
        }
        const Reference want = reference(names[op], {}, 13, {&a, &b});
        const std::string why = run_case(
                *dev, rng, want, 1,
                [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(a.floats()), arena.input(b.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return ocl::binary(l, static_cast<ocl::ClBinaryOp>(op), as, bs, t[0], t[1], y);
                });
        ASSERT_EQ(why, "") << "case " << cases << ": " << names[op] << " A " << join(as) << " B " << join(bs);
    }
    report("Add/Sub/Mul/Div/PRelu", cases, 120);
}

// Each activation op as the model has it (its reference kernel, its Activation from as_activation), then the
// fused form: a per-channel bias, any activation and the post-affine, against ops::Activation::apply.
TEST(OpenClKernels, Activations) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8106);
    struct OpCase {
        const char* op;
        std::vector<onnx::Attribute> attrs;
        int opset;
    };
    const std::vector<OpCase> ops_list{
            {"Relu", {}, 13}, {"Sigmoid", {}, 13}, {"Tanh", {}, 13}, {"HardSwish", {}, 14},
            {"HardSigmoid", {float_attr("alpha", 0.3f), float_attr("beta", 0.4f)}, 13},
            {"LeakyRelu", {float_attr("alpha", 0.07f)}, 13}, {"Clip", {}, 13}, {"Clip", {}, 6}};
    int cases = 0;
    for (const OpCase& c : ops_list) {
        for (int i = 0; i < 8; ++i, ++cases) {
            const ops::Shape shape = rng.shape(static_cast<size_t>(rng.range(1, 4)), 1, 9);
            std::vector<float> v = rng.values(ops::numel(shape));
            for (float& x : v) x *= 8.f;  // across HardSwish's and HardSigmoid's knees
            HostTensor x = HostTensor::of(shape, v);
            HostTensor lo = HostTensor::of({}, {-0.7f}, true), hi = HostTensor::of({}, {2.5f}, true);
            std::vector<const HostTensor*> inputs{&x};
            std::vector<onnx::Attribute> attrs = c.attrs;
            if (std::string(c.op) == "Clip" && c.opset >= 11) inputs = {&x, &lo, i % 2 ? &hi : nullptr};
            if (std::string(c.op) == "Clip" && c.opset < 11) attrs = {float_attr("min", -0.3f), float_attr("max", 0.6f)};
            ops::Attributes attributes(attrs, std::string("test ") + c.op);
            std::unique_ptr<ops::Kernel> kernel = ops::find_op(c.op)->create(attributes, c.opset);
            RefInfer infer(inputs, c.opset);
            kernel->infer(infer);
            std::vector<const ops::TensorView*> constants;
            std::vector<ops::TensorView> views;
            for (const HostTensor* t : inputs) views.push_back(t ? t->view() : ops::TensorView{});
            for (size_t j = 0; j < inputs.size(); ++j) constants.push_back(inputs[j] ? &views[j] : nullptr);
            ops::Activation act;
            ASSERT_TRUE(kernel->as_activation(constants, act)) << c.op;
            RefRun run(inputs, infer.output);
            kernel->run(run);
            const Reference want{infer.output, run.m_out};
            const std::string why = run_case(
                    *dev, rng, want, 1, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(v)}; },
                    [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                        return ocl::bias_activation(l, shape, t[0], ocl::ClTensor{}, y, act);
                    });
            ASSERT_EQ(why, "") << c.op << " opset " << c.opset << " case " << i << ": shape " << join(shape);
        }
    }
    for (int i = 0; i < 40; ++i, ++cases) {
        const ops::Shape shape = rng.shape(static_cast<size_t>(rng.range(2, 4)), 1, 9);
        const bool bias = rng.chance(0.7);
        const ops::Activation act = rng.activation();
        std::vector<float> v = rng.values(ops::numel(shape)), b = rng.values(shape[1]);
        for (float& x : v) x *= 4.f;
        int64_t inner = 1;
        for (size_t d = 2; d < shape.size(); ++d) inner *= shape[d];
        Reference want{shape, {}};
        for (size_t j = 0; j < v.size(); ++j) want.values.push_back(act.apply(v[j] + (bias ? b[(j / static_cast<size_t>(inner)) % b.size()] : 0.f)));
        const std::string why = run_case(
                *dev, rng, want, 1, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(v), arena.input(b)}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return ocl::bias_activation(l, shape, t[0], bias ? t[1] : ocl::ClTensor{}, y, act);
                });
        ASSERT_EQ(why, "") << "fused case " << i << ": shape " << join(shape) << " bias " << bias << " act " << act.name()
                           << " scale " << act.scale << " shift " << act.shift;
    }
    report("activations", cases, 104);
}

TEST(OpenClKernels, Pools) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8107);
    int cases = 0;
    while (cases < 120) {
        const bool average = cases % 2 == 1, one_d = rng.chance(0.1);
        const int64_t n = rng.range(1, 2), c = rng.range(1, 5), h = one_d ? 1 : rng.range(1, 14), w = rng.range(1, 14);
        const int64_t kh = one_d ? 1 : rng.range(1, 4), kw = rng.range(1, 4), sh = one_d ? 1 : rng.range(1, 3), sw = rng.range(1, 3);
        const int64_t dh = !one_d && rng.chance(0.15) ? 2 : 1, dw = rng.chance(0.15) ? 2 : 1;
        std::vector<int64_t> pads{one_d ? 0 : rng.range(0, kh - 1), rng.range(0, kw - 1), one_d ? 0 : rng.range(0, kh - 1), rng.range(0, kw - 1)};
        const bool ceil_mode = rng.chance(0.3), include_pad = average && rng.chance(0.5);
        // Output sizes as ops' forward_window computes them (ceil_mode: the last window starts inside).
        auto out_size = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) -> int64_t {
            const int64_t span = in + pb + pe - ((k - 1) * d + 1);
            if (span < 0) return 0;
            int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
            if (ceil_mode && (out - 1) * s >= in + pb) --out;
            return out;
        };
        const int64_t oh = out_size(h, kh, sh, dh, pads[0], pads[2]), ow = out_size(w, kw, sw, dw, pads[1], pads[3]);
        if (oh <= 0 || ow <= 0) continue;
        ++cases;
        ops::Shape xs{n, c, h, w};
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", {kh, kw}), ints_attr("strides", {sh, sw}),
                                           ints_attr("dilations", {dh, dw}), ints_attr("pads", pads), int_attr("ceil_mode", ceil_mode)};
        if (one_d) {
            xs = {n, c, w};
            attrs = {ints_attr("kernel_shape", {kw}), ints_attr("strides", {sw}), ints_attr("dilations", {dw}),
                     ints_attr("pads", {pads[1], pads[3]}), int_attr("ceil_mode", ceil_mode)};
        }
        if (average) attrs.push_back(int_attr("count_include_pad", include_pad));
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        const Reference want = reference(average ? "AveragePool" : "MaxPool", attrs, 19, {&x});
        ocl::Pool2dParams p;
        p.n = n, p.c = c, p.h = h, p.w = w, p.oh = oh, p.ow = ow, p.kh = kh, p.kw = kw, p.stride_h = sh, p.stride_w = sw;
        p.dilation_h = dh, p.dilation_w = dw, p.pad_top = pads[0], p.pad_left = pads[1], p.pad_bottom = pads[2], p.pad_right = pads[3];
        p.count_include_pad = include_pad;
        const std::string why = run_case(
                *dev, rng, want, average ? kh * kw : 0, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return average ? ocl::average_pool2d(l, p, t[0], y) : ocl::max_pool2d(l, p, t[0], y);
                });
        ASSERT_EQ(why, "") << (average ? "AveragePool" : "MaxPool") << " case " << cases << ": X " << join(xs) << " kernel "
                           << join({kh, kw}) << " strides " << join({sh, sw}) << " dilations " << join({dh, dw}) << " pads "
                           << join(pads) << " ceil_mode " << ceil_mode << " count_include_pad " << include_pad;
    }
    report("MaxPool/AveragePool", cases, 120);
}

TEST(OpenClKernels, GlobalAveragePool) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8108);
    int cases = 0;
    for (; cases < 30; ++cases) {
        const ops::Shape xs{rng.range(1, 2), rng.range(1, 9), rng.range(1, cases % 5 == 0 ? 60 : 12), rng.range(1, cases % 5 == 0 ? 70 : 12)};
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        const Reference want = reference("GlobalAveragePool", {}, 13, {&x});
        const std::string why = run_case(
                *dev, rng, want, xs[2] * xs[3], [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return ocl::global_average_pool(l, xs[0] * xs[1], xs[2] * xs[3], t[0], y);
                });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs);
    }
    report("GlobalAveragePool", cases, 30);
}

TEST(OpenClKernels, Resize) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8109);
    using P = ocl::ResizeParams;
    const char* coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
    const char* nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    int cases = 0, moved = 0;
    while (cases < 80) {
        const bool linear = rng.chance(0.5), by_sizes = rng.chance(0.5);
        const int coord = static_cast<int>(rng.range(0, linear ? 3 : 4)), nearest = static_cast<int>(rng.range(0, 3));
        const int opset = coord == 4 ? 11 : 13;
        const ops::Shape xs{rng.range(1, 2), rng.range(1, 4), rng.range(1, 9), rng.range(1, 9)};
        int64_t oh = 0, ow = 0;
        double sh = 0, sw = 0;
        HostTensor scales, sizes;
        if (by_sizes) {
            oh = rng.range(1, 20), ow = rng.range(1, 20);
            sh = double(oh) / double(xs[2]), sw = double(ow) / double(xs[3]);
            sizes = HostTensor::ints({xs[0], xs[1], oh, ow});
        } else {
            const float fh = rng.pick<float>({0.5f, 1.f, 1.5f, 2.f, 3.f, 0.75f, 2.5f}), fw = rng.pick<float>({0.5f, 1.f, 2.f, 3.f, 1.25f, 0.6f});
            oh = static_cast<int64_t>(std::floor(double(fh) * double(xs[2]))), ow = static_cast<int64_t>(std::floor(double(fw) * double(xs[3])));
            sh = fh, sw = fw;
            scales = HostTensor::of({4}, {1.f, 1.f, fh, fw}, true);
        }
        if (oh <= 0 || ow <= 0) continue;
        P p;
        p.mode = linear ? P::Mode::Linear : P::Mode::Nearest;
        p.coord = static_cast<P::Coord>(coord);
        p.nearest = static_cast<P::Nearest>(nearest);
        p.planes = xs[0] * xs[1], p.h = xs[2], p.w = xs[3], p.oh = oh, p.ow = ow, p.scale_h = sh, p.scale_w = sw;
        // Leading axes that move under the transform (tf_half_pixel_for_nn + round_prefer_ceil) are the CPU's.
        if (!ocl::ClResizePlan::keeps_axis(p, xs[0]) || !ocl::ClResizePlan::keeps_axis(p, xs[1])) {
            ++moved;
            continue;
        }
        ++cases;
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        std::vector<onnx::Attribute> attrs{string_attr("mode", linear ? "linear" : "nearest"),
                                           string_attr("coordinate_transformation_mode", coords[coord]),
                                           string_attr("nearest_mode", nearests[nearest])};
        const Reference want = reference("Resize", attrs, opset, {&x, nullptr, by_sizes ? nullptr : &scales, by_sizes ? &sizes : nullptr});
        ocl::ClResizePlan plan(dev->context, p);
        const std::string why = run_case(
                *dev, rng, want, linear ? 4 : 0, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::resize(l, plan, t[0], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " out " << join({oh, ow}) << (linear ? " linear " : " nearest ")
                           << coords[coord] << " " << nearests[nearest] << (by_sizes ? " by sizes" : " by scales");
    }
    std::printf("OpenCL Resize: %d cases whose leading axes move under the transform left to the CPU\n", moved);
    report("Resize", cases, 80);
}

TEST(OpenClKernels, Concat) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8110);
    int cases = 0;
    for (; cases < 40; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 5));
        const ops::Shape base = rng.shape(rank, 1, 5);
        const int64_t axis = rng.range(-static_cast<int64_t>(rank), static_cast<int64_t>(rank) - 1);
        const size_t a = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
        std::vector<HostTensor> xs;
        std::vector<ops::Shape> shapes;
        for (int64_t i = rng.range(1, 4); i-- > 0;) {
            ops::Shape s = base;
            s[a] = rng.range(0, 6);
            shapes.push_back(s);
            xs.push_back(HostTensor::of(s, rng.values(ops::numel(s))));
        }
        std::vector<const HostTensor*> inputs;
        for (auto& x : xs) inputs.push_back(&x);
        const Reference want = reference("Concat", {int_attr("axis", axis)}, 13, inputs);
        const std::string why = run_case(
                *dev, rng, want, 0,
                [&](Arena& arena) {
                    std::vector<ocl::ClTensor> t;
                    for (auto& x : xs) t.push_back(arena.input(x.floats()));
                    return t;
                },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::concat(l, shapes, axis, t, y); });
        std::ostringstream what;
        for (auto& s : shapes) what << join(s) << " ";
        ASSERT_EQ(why, "") << "case " << cases << ": inputs " << what.str() << "axis " << axis;
    }
    report("Concat", cases, 40);
}

TEST(OpenClKernels, Softmax) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8111);
    int cases = 0;
    for (; cases < 40; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 4));
        ops::Shape xs = rng.shape(rank, 1, 7);
        const int64_t axis = rng.chance(0.6) ? -1 : rng.range(0, static_cast<int64_t>(rank) - 1);
        xs[static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis)] = rng.pick<int64_t>({1, 3, 17, 64, 65, 300});
        std::vector<float> v = rng.values(ops::numel(xs));
        for (float& x : v) x *= 10.f;
        HostTensor x = HostTensor::of(xs, v);
        const Reference want = reference("Softmax", {int_attr("axis", axis)}, 13, {&x});
        const std::string why = run_case(
                *dev, rng, want, 16, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(v)}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::softmax(l, xs, axis, t[0], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " axis " << axis;
    }
    report("Softmax", cases, 40);
}

TEST(OpenClKernels, Pad) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8112);
    const char* modes[] = {"constant", "reflect", "edge", "wrap"};
    int cases = 0;
    for (; cases < 50; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 5));
        const ops::Shape xs = rng.shape(rank, 1, 5);
        const int mode = static_cast<int>(rng.range(0, 3));
        std::vector<int64_t> pads(2 * rank);
        ops::Shape out = xs;
        std::vector<int64_t> begins(rank);
        for (size_t d = 0; d < rank; ++d) {
            pads[d] = rng.range(mode == 0 ? -1 : 0, 3);
            pads[d + rank] = rng.range(mode == 0 ? -1 : 0, 3);
            if (xs[d] + pads[d] + pads[d + rank] < 0) pads[d] = pads[d + rank] = 0;
            out[d] = xs[d] + pads[d] + pads[d + rank];
            begins[d] = pads[d];
        }
        const float value = rng.chance(0.5) ? 0.f : 1.75f;
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs))), p = HostTensor::ints(pads), v = HostTensor::of({}, {value}, true);
        const Reference want = reference("Pad", {string_attr("mode", modes[mode])}, 13, {&x, &p, &v});
        uint32_t bits = 0;
        std::memcpy(&bits, &value, 4);
        const std::string why = run_case(
                *dev, rng, want, 0, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) {
                    return ocl::pad(l, xs, begins, out, static_cast<ocl::ClPadMode>(mode), bits, t[0], y);
                });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " pads " << join(pads) << " mode " << modes[mode];
    }
    report("Pad", cases, 50);
}

TEST(OpenClKernels, Slice) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8113);
    int cases = 0;
    for (; cases < 50; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 5));
        const ops::Shape xs = rng.shape(rank, 1, 7);
        std::vector<int64_t> starts, ends, axes, steps, start(rank, 0), step(rank, 1);
        ops::Shape out = xs;
        for (size_t d = 0; d < rank; ++d) {
            if (rng.chance(0.3)) continue;
            const int64_t dim = xs[d], s = rng.pick<int64_t>({1, 1, 2, 3, -1, -2});
            int64_t b = rng.range(-dim - 1, dim + 1), e = rng.range(-dim - 1, dim + 1);
            axes.push_back(rng.chance(0.5) ? static_cast<int64_t>(d) : static_cast<int64_t>(d) - static_cast<int64_t>(rank));
            starts.push_back(b), ends.push_back(e), steps.push_back(s);
            // Resolved as ops' Slice does: clamped like numpy.
            if (b < 0) b = b < -dim ? -1 : b + dim;
            if (e < 0) e = e < -dim ? -1 : e + dim;
            if (s > 0) b = std::min(std::max<int64_t>(b, 0), dim), e = std::min(std::max<int64_t>(e, 0), dim);
            else b = std::max<int64_t>(std::min(b, dim - 1), 0), e = std::max<int64_t>(std::min(e, dim - 1), -1);
            int64_t count = 0;
            if (s > 0 && e > b) count = (e - b - 1) / s + 1;
            if (s < 0 && b > e) count = (b - e - 1) / -s + 1;
            start[d] = b, step[d] = s, out[d] = count;
        }
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        HostTensor ts = HostTensor::ints(starts), te = HostTensor::ints(ends), ta = HostTensor::ints(axes), tp = HostTensor::ints(steps);
        const Reference want = reference("Slice", {}, 13, {&x, &ts, &te, &ta, &tp});
        ASSERT_EQ(want.shape, out) << "the test's resolution of the slice differs from the op's";
        const std::string why = run_case(
                *dev, rng, want, 0, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::slice(l, xs, start, step, out, t[0], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " starts " << join(starts) << " ends " << join(ends)
                           << " axes " << join(axes) << " steps " << join(steps);
    }
    report("Slice", cases, 50);
}

TEST(OpenClKernels, ReduceMean) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8114);
    int cases = 0;
    for (; cases < 50; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 5));
        const ops::Shape xs = rng.shape(rank, 1, rank > 3 ? 5 : 9);
        std::vector<int64_t> axes, normalized;
        for (size_t d = 0; d < rank; ++d) {
            if (!rng.chance(0.5)) continue;
            normalized.push_back(static_cast<int64_t>(d));
            axes.push_back(rng.chance(0.5) ? static_cast<int64_t>(d) : static_cast<int64_t>(d) - static_cast<int64_t>(rank));
        }
        if (axes.empty()) {  // empty axes reduce every dim
            for (size_t d = 0; d < rank; ++d) normalized.push_back(static_cast<int64_t>(d));
        }
        const bool keepdims = rng.chance(0.5);
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        std::vector<onnx::Attribute> attrs{int_attr("keepdims", keepdims)};
        if (!axes.empty()) attrs.push_back(ints_attr("axes", axes));
        const Reference want = reference("ReduceMean", attrs, 13, {&x});
        int64_t k = 1;
        for (int64_t a : normalized) k *= xs[static_cast<size_t>(a)];
        const std::string why = run_case(
                *dev, rng, want, k, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::reduce_mean(l, xs, normalized, t[0], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " axes " << join(axes) << " keepdims " << keepdims;
    }
    report("ReduceMean", cases, 50);
}

TEST(OpenClKernels, Transpose) {
    REQUIRE_OPENCL_DEVICE();
    Rng rng(8115);
    int cases = 0;
    for (; cases < 50; ++cases) {
        const size_t rank = static_cast<size_t>(rng.range(1, 6));
        const ops::Shape xs = rng.shape(rank, 1, rank > 4 ? 4 : 7);
        std::vector<int64_t> perm(rank);
        for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(i);
        std::shuffle(perm.begin(), perm.end(), rng.gen);
        HostTensor x = HostTensor::of(xs, rng.values(ops::numel(xs)));
        const Reference want = reference("Transpose", {ints_attr("perm", perm)}, 13, {&x});
        const std::string why = run_case(
                *dev, rng, want, 0, [&](Arena& arena) { return std::vector<ocl::ClTensor>{arena.input(x.floats())}; },
                [&](ocl::ClLaunch& l, std::vector<ocl::ClTensor>& t, ocl::ClTensor y) { return ocl::transpose(l, xs, perm, t[0], y); });
        ASSERT_EQ(why, "") << "case " << cases << ": X " << join(xs) << " perm " << join(perm);
    }
    report("Transpose", cases, 50);
}

// ---- The program cache ----

namespace {
struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/edgelite-cl-cache-XXXXXX";
        path = mkdtemp(name);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs one small kernel with a program: the program works.
void smoke(const Device& d, ocl::ClProgram& program) {
    std::mt19937 gen(1);
    Arena arena(gen);
    arena.input({1.f, -2.f, 3.f});
    const ocl::ClTensor out = arena.output(3);
    arena.upload(d);
    ocl::ClLaunch launch;
    launch.queue = d.queue;
    launch.program = &program;
    ops::Activation relu;
    relu.kind = ops::Activation::Relu;
    const ocl::ClTensor x = arena.tensor(0), y{x.buffer, out.offset};
    ocl::bias_activation(launch, {3}, x, {}, y, relu).wait();
    ASSERT_EQ(arena.download(d), "");
    EXPECT_EQ(arena.result(y, 3), (std::vector<float>{1.f, 0.f, 3.f}));
}
}  // namespace

TEST(OpenClProgramCache, SecondCacheLoadsTheBinary) {
    REQUIRE_OPENCL_DEVICE();
    TempDir dir;
    auto start = std::chrono::steady_clock::now();
    ocl::ClProgramCache cold(dir.path);
    smoke(*dev, cold.program(dev->context, dev->id));
    const double cold_s = seconds_since(start);
    EXPECT_EQ(cold.stats().compiled, 1);
    EXPECT_EQ(cold.stats().written, 1);
    EXPECT_EQ(&cold.program(dev->context, dev->id), &cold.program(dev->context, dev->id)) << "built once per device";
    EXPECT_EQ(cold.stats().compiled, 1);

    start = std::chrono::steady_clock::now();
    ocl::ClProgramCache warm(dir.path);
    smoke(*dev, warm.program(dev->context, dev->id));
    const double warm_s = seconds_since(start);
    EXPECT_EQ(warm.stats().loaded, 1);
    EXPECT_EQ(warm.stats().compiled, 0);
    EXPECT_EQ(warm.stats().rejected, 0);
    std::printf("OpenCL program on %s: compiled in %.3f s, loaded from %s in %.3f s\n", dev->name.c_str(), cold_s,
                warm.cache_file(dev->id).c_str(), warm_s);
}

TEST(OpenClProgramCache, CorruptFileIsRewritten) {
    REQUIRE_OPENCL_DEVICE();
    TempDir dir;
    ocl::ClProgramCache first(dir.path);
    first.program(dev->context, dev->id);
    const std::string file = first.cache_file(dev->id);
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file << " was not written";
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    // A flipped byte in the binary, a truncated file, garbage: each is ignored, compiled over and rewritten.
    std::string flipped = bytes;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5a);
    for (const std::string& broken : {flipped, bytes.substr(0, bytes.size() / 3), std::string("not a program binary")}) {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << broken;
        ocl::ClProgramCache recovering(dir.path);
        smoke(*dev, recovering.program(dev->context, dev->id));
        EXPECT_EQ(recovering.stats().rejected, 1);
        EXPECT_EQ(recovering.stats().compiled, 1);
        EXPECT_EQ(recovering.stats().written, 1);
        ocl::ClProgramCache after(dir.path);
        after.program(dev->context, dev->id);
        EXPECT_EQ(after.stats().loaded, 1) << "the rewritten file is used";
    }
    // An unwritable directory costs a compile, nothing more.
    ocl::ClProgramCache unwritable("/proc/edgelite-no-such-dir");
    smoke(*dev, unwritable.program(dev->context, dev->id));
    EXPECT_EQ(unwritable.stats().compiled, 1);
    EXPECT_EQ(unwritable.stats().written, 0);
}

TEST(OpenClProgramCache, ErrorsNameTheKernel) {
    REQUIRE_OPENCL_DEVICE();
    ocl::ClLaunch launch = launch_on(*dev);
    try {
        ocl::bias_activation(launch, {4}, ocl::ClTensor{nullptr, 2}, {}, ocl::ClTensor{nullptr, 0}, {});
        FAIL() << "a misaligned offset was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Internal);
        EXPECT_NE(std::string(e.what()).find("bias_activation"), std::string::npos) << e.what();
    }
    EXPECT_EQ(ocl::cl_status_name(CL_INVALID_KERNEL_ARGS), "CL_INVALID_KERNEL_ARGS");
    EXPECT_EQ(ocl::cl_status_name(-12345), "CL error -12345");
}
