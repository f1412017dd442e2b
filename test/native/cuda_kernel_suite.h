// The CUDA kernels against the reference kernels: one suite, run by two implementations of KernelRunner — the host
// harness (cuda_host_kernel_test.cpp: each kernel's per-thread and per-tile code emulated over its launch grid, on
// every npm test) and the GPU (test/gpu/cuda_tests.cpp: the real launch functions on a stream). Each case draws a
// random shape and attributes (sizes 1 and odd, tile remainders, strides, pads, dilations, groups, broadcasting,
// fused activations), runs the reference kernel, builds the kernel's arguments from the shapes and compares. Every
// suite returns how many cases it checked so that a test fails when none ran; a failure names the case. Resize,
// softmax, reductions and data movement are in cuda_kernel_suite_data.h.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <string>
#include <vector>

#include "backends/cuda/kernels/emulate.h"
#include "backends/cuda/kernels/kernels.cuh"
#include "backends/cuda/kernels/ops_bridge.h"
#include "reference_harness.h"

namespace lite::test {

namespace k = lite::backend::cuda::kernels;

//! Where kernels run: memory (device memory for the GPU) and one run() per kernel of EDGELITE_CUDA_KERNELS.
class KernelRunner {
public:
    virtual ~KernelRunner() = default;
    //! A copy of host bytes in the runner's memory, valid until reset().
    virtual void* upload(const void* data, size_t bytes) = 0;
    //! Uninitialised runner memory (filled with 0xff bytes: NaN floats), valid until reset().
    virtual void* alloc(size_t bytes) = 0;
    //! Copies runner memory back, after the kernels queued so far have finished.
    virtual void download(void* dst, const void* src, size_t bytes) = 0;
    virtual void reset() = 0;
#define EDGELITE_RUNNER_RUN(NAME) virtual void run(const k::NAME##Args& args) = 0;
    EDGELITE_CUDA_KERNELS(EDGELITE_RUNNER_RUN)
#undef EDGELITE_RUNNER_RUN

    const float* up(const HostTensor& t) { return static_cast<const float*>(upload(t.bytes.data(), t.bytes.size())); }
    float* out_floats(int64_t n) { return static_cast<float*>(alloc(size_t(n) * sizeof(float))); }
    std::vector<float> down(const float* p, int64_t n) {
        std::vector<float> v(static_cast<size_t>(n));
        download(v.data(), p, v.size() * sizeof(float));
        return v;
    }
};

//! The host harness as a runner: "device" memory is host memory it owns; run() emulates the kernel's grid.
class HostRunner final : public KernelRunner {
public:
    void* upload(const void* data, size_t bytes) override {
        void* p = alloc(bytes);
        if (bytes) std::memcpy(p, data, bytes);
        return p;
    }
    void* alloc(size_t bytes) override {
        m_buffers.emplace_back(bytes + 1, uint8_t(0xff));  // +1: a valid pointer for 0 bytes
        return m_buffers.back().data();
    }
    void download(void* dst, const void* src, size_t bytes) override {
        if (bytes) std::memcpy(dst, src, bytes);
    }
    void reset() override { m_buffers.clear(); }
#define EDGELITE_HOST_RUN(NAME) \
    void run(const k::NAME##Args& args) override { k::emulate<k::NAME##Kernel>(args); }
    EDGELITE_CUDA_KERNELS(EDGELITE_HOST_RUN)
#undef EDGELITE_HOST_RUN

private:
    std::list<std::vector<uint8_t>> m_buffers;  // a list: pointers stay valid as buffers are added
};

// ---- convolutions ----

//! A conv case: X, W, B, residual as the reference takes them, and the attributes; 1-D when `rank` is 1.
inline int suite_conv2d(KernelRunner& r, int cases, uint32_t seed, bool depthwise) {
    Rng rng(seed);
    int done = 0;
    while (done < cases) {
        const int rank = rng.chance(0.15) ? 1 : 2;
        int64_t group = 1, c = rng.range(1, 9), m = rng.range(1, 20);
        const int kind = int(rng.range(0, 5));
        if (depthwise) {
            group = c = rng.range(1, 24);
            m = c * (rng.chance(0.3) ? rng.range(2, 3) : 1);
        } else if (kind == 1) {
            group = rng.range(2, 3);
            c = group * rng.range(1, 4);
            m = group * rng.range(1, 5);
        } else if (kind == 2) {
            m = rng.range(60, 140);  // more than one map tile
        } else if (kind == 3) {
            c = rng.range(20, 40);  // K past several K tiles with remainders
        }
        const int64_t n = rng.chance(0.2) ? 2 : 1;
        std::vector<int64_t> in, kernel, strides, dilations, pads(size_t(2 * rank));
        for (int i = 0; i < rank; ++i) {
            in.push_back(rng.range(1, rank == 1 ? 70 : 20));
            kernel.push_back(rng.pick<int64_t>({1, 3, 3, 5, 2}));
            strides.push_back(rng.pick<int64_t>({1, 1, 2, 3}));
            dilations.push_back(rng.chance(0.15) ? 2 : 1);
        }
        for (auto& p : pads) p = rng.range(0, 2);
        bool valid = true;
        for (int i = 0; i < rank; ++i) valid = valid && in[size_t(i)] + pads[size_t(i)] + pads[size_t(i + rank)] >= (kernel[size_t(i)] - 1) * dilations[size_t(i)] + 1;
        if (!valid) continue;
        ops::Shape xs{n, c}, ws{m, c / group};
        xs.insert(xs.end(), in.begin(), in.end());
        ws.insert(ws.end(), kernel.begin(), kernel.end());
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", kernel), ints_attr("strides", strides),
                                           ints_attr("dilations", dilations), ints_attr("pads", pads), int_attr("group", group)};
        HostTensor x = rng.tensor(xs), w = rng.tensor(ws, true), b = rng.tensor({m}, true);
        const bool bias = rng.chance(0.6), residual = rng.chance(0.3);
        RefOptions options;
        if (rng.chance(0.6)) options.activation = rng.activation();
        // The residual has the output's shape with possibly fewer maps; its size needs the output shape first.
        HostTensor plain = run_reference("Conv", attrs, {&x, &w});
        const ops::Shape& ys = plain.shape;
        ops::Shape rs = ys;
        rs[1] = rng.chance(0.5) ? m : rng.range(0, m);
        HostTensor res = rng.tensor(rs);
        options.residual = residual;
        std::vector<const HostTensor*> inputs{&x, &w, bias ? &b : nullptr};
        if (residual) inputs.push_back(&res);
        const HostTensor want = run_reference("Conv", attrs, inputs, options);

        k::Conv2dArgs a;
        a.x = r.up(x);
        a.w = r.up(w);
        a.bias = bias ? r.up(b) : nullptr;
        a.residual = residual ? r.up(res) : nullptr;
        a.residual_maps = residual ? int(rs[1]) : 0;
        a.y = r.out_floats(want.numel());
        a.n = int(n), a.c = int(c), a.m = int(m), a.group = int(group);
        const size_t hd = rank == 2 ? 0 : 99;  // index of the H attributes, 99: none (1-D)
        const size_t wd = rank == 2 ? 1 : 0;
        a.h = hd == 0 ? int(in[0]) : 1, a.w_in = int(in[wd]);
        a.kh = hd == 0 ? int(kernel[0]) : 1, a.kw = int(kernel[wd]);
        a.oh = hd == 0 ? int(ys[2]) : 1, a.ow = int(ys.back());
        a.stride_h = hd == 0 ? int(strides[0]) : 1, a.stride_w = int(strides[wd]);
        a.dilation_h = hd == 0 ? int(dilations[0]) : 1, a.dilation_w = int(dilations[wd]);
        a.pad_h = hd == 0 ? int(pads[0]) : 0, a.pad_w = int(pads[wd]);
        a.act = k::to_kernel_act(options.activation);
        if (depthwise) {
            r.run(k::DepthwiseConv2dArgs{a});
        } else {
            r.run(a);
        }
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), c / group * ops::numel(kernel), 2.f);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << (depthwise ? "DepthwiseConv2d" : "Conv2d") << " case " << done << ": X " << join(xs) << " W " << join(ws)
                          << " group " << group << " strides " << join(strides) << " dilations " << join(dilations) << " pads "
                          << join(pads) << " bias " << bias << " residual " << (residual ? join(rs) : "none") << " act "
                          << options.activation.name() << ": " << why;
            return done;
        }
        ++done;
    }
    return done;
}

inline int suite_conv_transpose2d(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    while (done < cases) {
        const int rank = rng.chance(0.15) ? 1 : 2;
        const int64_t group = rng.chance(0.25) ? rng.range(2, 3) : 1;
        const int64_t c = group * rng.range(1, 6), mg = rng.range(1, 6), n = rng.chance(0.2) ? 2 : 1;
        std::vector<int64_t> in, kernel, strides, dilations, output_padding, pads(size_t(2 * rank));
        bool valid = true;
        for (int i = 0; i < rank; ++i) {
            in.push_back(rng.range(1, 12));
            kernel.push_back(rng.pick<int64_t>({1, 2, 3, 4, 5}));
            strides.push_back(rng.pick<int64_t>({1, 2, 2, 3}));
            dilations.push_back(rng.chance(0.15) ? 2 : 1);
            output_padding.push_back(rng.chance(0.3) ? rng.range(0, strides.back() - 1) : 0);
        }
        for (int i = 0; i < rank; ++i) {
            const size_t u = size_t(i);
            pads[u] = rng.range(0, 2);
            pads[u + size_t(rank)] = rng.range(0, 2);
            const int64_t full = strides[u] * (in[u] - 1) + output_padding[u] + (kernel[u] - 1) * dilations[u] + 1;
            valid = valid && full - pads[u] - pads[u + size_t(rank)] > 0;
        }
        if (!valid) continue;
        ops::Shape xs{n, c}, ws{c, mg};
        xs.insert(xs.end(), in.begin(), in.end());
        ws.insert(ws.end(), kernel.begin(), kernel.end());
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", kernel), ints_attr("strides", strides), ints_attr("dilations", dilations),
                                           ints_attr("pads", pads), ints_attr("output_padding", output_padding), int_attr("group", group)};
        HostTensor x = rng.tensor(xs), w = rng.tensor(ws, true), b = rng.tensor({mg * group}, true);
        const bool bias = rng.chance(0.6);
        RefOptions options;
        if (rng.chance(0.5)) options.activation = rng.activation();
        const HostTensor want = run_reference("ConvTranspose", attrs, {&x, &w, bias ? &b : nullptr}, options);
        const ops::Shape& ys = want.shape;
        k::ConvTranspose2dArgs a;
        a.x = r.up(x);
        a.w = r.up(w);
        a.bias = bias ? r.up(b) : nullptr;
        a.y = r.out_floats(want.numel());
        a.n = int(n), a.c = int(c), a.m = int(mg * group), a.group = int(group);
        const bool two = rank == 2;
        const size_t wd = two ? 1 : 0;
        a.h = two ? int(in[0]) : 1, a.w_in = int(in[wd]);
        a.kh = two ? int(kernel[0]) : 1, a.kw = int(kernel[wd]);
        a.oh = two ? int(ys[2]) : 1, a.ow = int(ys.back());
        a.stride_h = two ? int(strides[0]) : 1, a.stride_w = int(strides[wd]);
        a.dilation_h = two ? int(dilations[0]) : 1, a.dilation_w = int(dilations[wd]);
        a.pad_h = two ? int(pads[0]) : 0, a.pad_w = int(pads[wd]);
        a.act = k::to_kernel_act(options.activation);
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), c / group * ops::numel(kernel));
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "ConvTranspose2d case " << done << ": X " << join(xs) << " W " << join(ws) << " group " << group << " strides "
                          << join(strides) << " dilations " << join(dilations) << " pads " << join(pads) << " output_padding "
                          << join(output_padding) << " bias " << bias << " act " << options.activation.name() << ": " << why;
            return done;
        }
        ++done;
    }
    return done;
}

// ---- matrix products ----

inline int suite_gemm(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int64_t m = rng.chance(0.2) ? 1 : rng.range(1, 90), n = rng.range(1, 90), kk = rng.chance(0.2) ? rng.range(100, 200) : rng.range(1, 40);
        const bool ta = rng.chance(0.5), tb = rng.chance(0.5);
        const float alpha = rng.pick<float>({1.f, 1.f, 0.5f, -1.5f}), beta = rng.pick<float>({1.f, 1.f, 0.f, 2.f});
        const int c_kind = int(rng.range(0, 6));
        ops::Shape cs;
        switch (c_kind) {
            case 1: cs = {n}; break;
            case 2: cs = {1}; break;
            case 3: cs = {m, n}; break;
            case 4: cs = {m, 1}; break;
            case 5: cs = {1, n}; break;
            case 6: cs = {1, 1}; break;
            default: break;
        }
        HostTensor a_t = rng.tensor(ta ? ops::Shape{kk, m} : ops::Shape{m, kk}), b_t = rng.tensor(tb ? ops::Shape{n, kk} : ops::Shape{kk, n});
        HostTensor c_t = rng.tensor(c_kind ? cs : ops::Shape{1}, true);
        RefOptions options;
        if (rng.chance(0.5)) options.activation = rng.activation();
        std::vector<onnx::Attribute> attrs{float_attr("alpha", alpha), float_attr("beta", beta), int_attr("transA", ta), int_attr("transB", tb)};
        const HostTensor want = run_reference("Gemm", attrs, {&a_t, &b_t, c_kind ? &c_t : nullptr}, options);
        k::GemmArgs a;
        a.a = r.up(a_t);
        a.b = r.up(b_t);
        a.c = c_kind ? r.up(c_t) : nullptr;
        a.y = r.out_floats(want.numel());
        a.m = int(m), a.n = int(n), a.k = int(kk);
        a.a_row = ta ? 1 : kk, a.a_col = ta ? m : 1, a.b_row = tb ? 1 : n, a.b_col = tb ? kk : 1;
        if (cs.size() == 2) a.c_row = cs[0] == 1 ? 0 : cs[1], a.c_col = cs[1] == 1 ? 0 : 1;
        if (cs.size() == 1) a.c_col = cs[0] == 1 ? 0 : 1;
        a.alpha = alpha, a.beta = beta;
        a.act = k::to_kernel_act(options.activation);
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), kk, std::max(1.f, std::fabs(alpha)));
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Gemm case " << done << ": M " << m << " N " << n << " K " << kk << " transA " << ta << " transB " << tb
                          << " alpha " << alpha << " beta " << beta << " C " << (c_kind ? join(cs) : "none") << " act "
                          << options.activation.name() << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_matmul(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int64_t m = rng.range(1, 80), n = rng.range(1, 80), kk = rng.chance(0.15) ? rng.range(100, 160) : rng.range(1, 30);
        ops::Shape as{m, kk}, bs{kk, n};
        switch (rng.range(0, 6)) {
            case 1: as = {kk}; break;
            case 2: bs = {kk}; break;
            case 3: as = {rng.range(1, 3), m, kk}; break;
            case 4: as = {rng.range(2, 3), m, kk}; bs = {as[0], kk, n}; break;
            case 5: as = {2, 1, m, kk}; bs = {rng.range(1, 3), kk, n}; break;
            case 6: as = {m, kk}; bs = {2, kk, n}; break;
            default: break;
        }
        HostTensor a_t = rng.tensor(as), b_t = rng.tensor(bs);
        RefOptions options;
        if (rng.chance(0.4)) options.activation = rng.activation();
        const HostTensor want = run_reference("MatMul", {}, {&a_t, &b_t}, options);
        // Matrix dims (a 1-D A is a row, a 1-D B a column) and the batch dims broadcast to the output's.
        const int64_t mm = as.size() == 1 ? 1 : m, nn = bs.size() == 1 ? 1 : n;
        ops::Shape ab = as.size() > 2 ? ops::Shape(as.begin(), as.end() - 2) : ops::Shape{};
        ops::Shape bb = bs.size() > 2 ? ops::Shape(bs.begin(), bs.end() - 2) : ops::Shape{};
        const size_t br = std::max(ab.size(), bb.size());
        k::GemmArgs a;
        a.batch_rank = int(br);
        int64_t sa = mm * kk, sb = kk * nn;
        for (size_t i = br; i-- > 0;) {
            const int64_t da = i + ab.size() >= br ? ab[i + ab.size() - br] : 1, db = i + bb.size() >= br ? bb[i + bb.size() - br] : 1;
            a.batch[i] = std::max(da, db);
            a.a_batch[i] = da == 1 ? 0 : sa;
            a.b_batch[i] = db == 1 ? 0 : sb;
            sa *= da;
            sb *= db;
        }
        a.a = r.up(a_t);
        a.b = r.up(b_t);
        a.y = r.out_floats(want.numel());
        a.m = int(mm), a.n = int(nn), a.k = int(kk);
        a.a_row = kk, a.a_col = 1, a.b_row = nn, a.b_col = 1;
        a.act = k::to_kernel_act(options.activation);
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), kk);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "MatMul case " << done << ": A " << join(as) << " B " << join(bs) << " act " << options.activation.name() << ": " << why;
            return done;
        }
    }
    return done;
}

// ---- elementwise ----

inline int suite_unary(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    const char* ops_list[] = {"Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "Clip"};
    for (; done < cases; ++done) {
        const int64_t count = rng.pick<int64_t>({1, 7, 255, 256, 257, 1000, 5000});
        HostTensor x = HostTensor::of_floats({count}, rng.floats(count, -8.f, 8.f));
        ops::Activation act;
        std::vector<float> want;
        std::string what;
        if (rng.chance(0.5)) {
            // An op kernel and the activation it describes to the fusion pass.
            const std::string op = ops_list[rng.range(0, 6)];
            std::vector<onnx::Attribute> attrs;
            if (op == "LeakyRelu") attrs.push_back(float_attr("alpha", 0.2f));
            if (op == "Clip") attrs = {float_attr("min", -1.f), float_attr("max", 2.5f)};
            RefOptions options;
            options.opset = op == "Clip" ? 6 : 13;
            ops::Attributes attributes(attrs, "test " + op);
            auto kernel = ops::find_op(op)->create(attributes, options.opset);
            RefInfer infer({&x}, options.opset);
            kernel->infer(infer);  // Clip knows its bounds and type only then
            if (!kernel->as_activation({}, act)) {
                ADD_FAILURE() << op << " does not describe itself as an activation";
                return done;
            }
            want = run_reference(op, attrs, {&x}, options).float_vector();
            what = op;
        } else {
            act = rng.activation();
            for (float v : x.float_vector()) want.push_back(act.apply(v));
            what = std::string("activation ") + act.name() + (act.has_affine() ? " with affine" : "");
        }
        k::UnaryArgs a;
        a.x = r.up(x);
        a.y = rng.chance(0.3) ? const_cast<float*>(a.x) : r.out_floats(count);  // in place, sometimes
        a.n = count;
        a.act = k::to_kernel_act(act);
        r.run(a);
        const std::string why = compare_floats(want, r.down(a.y, count), 1);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Unary case " << done << ": " << what << " over " << count << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_binary(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    const char* names[] = {"Add", "Sub", "Mul", "Div"};
    for (; done < cases; ++done) {
        const int rank = int(rng.range(0, 6));
        ops::Shape out;
        for (int i = 0; i < rank; ++i) out.push_back(rng.pick<int64_t>({1, 2, 3, 5, 8, 17}));
        auto operand = [&]() {
            ops::Shape s;
            const int drop = int(rng.range(0, rank));  // leading dims left out
            for (int i = drop; i < rank; ++i) s.push_back(rng.chance(0.35) ? 1 : out[size_t(i)]);
            return s;
        };
        const ops::Shape as = rng.chance(0.3) ? out : operand(), bs = operand();
        const int op = int(rng.range(0, 3));
        HostTensor a_t = rng.tensor(as), b_t = rng.tensor(bs);
        if (op == 3) {  // keep divisors away from 0
            for (int64_t i = 0; i < b_t.numel(); ++i) b_t.floats()[i] = b_t.floats()[i] < 0 ? b_t.floats()[i] - 0.5f : b_t.floats()[i] + 0.5f;
        }
        ops::Activation act;
        if (rng.chance(0.4)) act = rng.activation();
        std::vector<float> want = run_reference(names[op], {}, {&a_t, &b_t}).float_vector();
        for (float& v : want) v = act.apply(v);
        k::BinaryArgs a;
        if (!k::make_binary_args(as, bs, a)) {
            ADD_FAILURE() << "make_binary_args refused " << join(as) << " and " << join(bs);
            return done;
        }
        a.a = r.up(a_t);
        a.b = r.up(b_t);
        a.y = r.out_floats(int64_t(want.size()));
        a.op = k::BinaryOp(op);
        a.act = k::to_kernel_act(act);
        r.run(a);
        const std::string why = compare_floats(want, r.down(a.y, int64_t(want.size())), 1);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Binary case " << done << ": " << names[op] << " " << join(as) << " " << join(bs) << " act " << act.name() << ": " << why;
            return done;
        }
    }
    return done;
}

// ---- pooling ----

inline int suite_pool2d(KernelRunner& r, int cases, uint32_t seed, bool max) {
    Rng rng(seed);
    int done = 0;
    while (done < cases) {
        const int rank = rng.chance(0.15) ? 1 : 2;
        std::vector<int64_t> in, kernel, strides, dilations, pads(size_t(2 * rank));
        for (int i = 0; i < rank; ++i) {
            in.push_back(rng.range(1, 25));
            kernel.push_back(rng.pick<int64_t>({1, 2, 3, 3, 5}));
            strides.push_back(rng.pick<int64_t>({1, 2, 2, 3}));
            dilations.push_back(rng.chance(0.15) ? 2 : 1);
        }
        for (int i = 0; i < rank; ++i) {
            pads[size_t(i)] = rng.range(0, kernel[size_t(i)] - 1);
            pads[size_t(i + rank)] = rng.range(0, kernel[size_t(i)] - 1);
        }
        const bool ceil_mode = rng.chance(0.3), include_pad = !max && rng.chance(0.5);
        bool valid = true;
        for (int i = 0; i < rank; ++i) valid = valid && in[size_t(i)] + pads[size_t(i)] + pads[size_t(i + rank)] >= (kernel[size_t(i)] - 1) * dilations[size_t(i)] + 1;
        if (!valid) continue;
        ops::Shape xs{rng.range(1, 2), rng.range(1, 5)};
        xs.insert(xs.end(), in.begin(), in.end());
        HostTensor x = rng.tensor(xs);
        if (max && rng.chance(0.2)) x.floats()[rng.range(0, x.numel() - 1)] = NAN;
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", kernel), ints_attr("strides", strides), ints_attr("pads", pads),
                                           int_attr("ceil_mode", ceil_mode)};
        if (dilations != std::vector<int64_t>(size_t(rank), 1)) attrs.push_back(ints_attr("dilations", dilations));
        if (include_pad) attrs.push_back(int_attr("count_include_pad", 1));
        RefOptions options;
        options.opset = 19;
        const HostTensor want = run_reference(max ? "MaxPool" : "AveragePool", attrs, {&x}, options);
        k::Pool2dArgs a;
        const bool two = rank == 2;
        const size_t wd = two ? 1 : 0;
        a.x = r.up(x);
        a.y = r.out_floats(want.numel());
        a.planes = xs[0] * xs[1];
        a.h = two ? int(in[0]) : 1, a.w = int(in[wd]);
        a.oh = two ? int(want.shape[2]) : 1, a.ow = int(want.shape.back());
        a.kh = two ? int(kernel[0]) : 1, a.kw = int(kernel[wd]);
        a.stride_h = two ? int(strides[0]) : 1, a.stride_w = int(strides[wd]);
        a.dilation_h = two ? int(dilations[0]) : 1, a.dilation_w = int(dilations[wd]);
        a.pad_top = two ? int(pads[0]) : 0, a.pad_left = int(pads[wd]);
        a.pad_bottom = two ? int(pads[2]) : 0, a.pad_right = int(pads[wd + size_t(rank)]);
        a.count_include_pad = include_pad;
        if (max) {
            r.run(k::MaxPool2dArgs{a});
        } else {
            r.run(k::AveragePool2dArgs{a});
        }
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), max ? -1 : ops::numel(kernel));
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << (max ? "MaxPool2d" : "AveragePool2d") << " case " << done << ": X " << join(xs) << " kernel " << join(kernel)
                          << " strides " << join(strides) << " dilations " << join(dilations) << " pads " << join(pads) << " ceil "
                          << ceil_mode << " count_include_pad " << include_pad << ": " << why;
            return done;
        }
        ++done;
    }
    return done;
}

inline int suite_global_average_pool(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const ops::Shape xs{rng.range(1, 2), rng.range(1, 6), rng.pick<int64_t>({1, 3, 7, 16, 33}), rng.pick<int64_t>({1, 5, 8, 31, 64})};
        HostTensor x = rng.tensor(xs);
        const HostTensor want = run_reference("GlobalAveragePool", {}, {&x});
        k::GlobalAveragePoolArgs a;
        a.x = r.up(x);
        a.y = r.out_floats(want.numel());
        a.planes = xs[0] * xs[1];
        a.size = xs[2] * xs[3];
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), a.size);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "GlobalAveragePool case " << done << ": X " << join(xs) << ": " << why;
            return done;
        }
    }
    return done;
}

}  // namespace lite::test

#include "cuda_kernel_suite_data.h"

//! The suite as GoogleTest tests of `SUITE`, run by the KernelRunner that `MAKE_RUNNER` (an expression) creates;
//! each test checks that all its cases ran. `SCALE` divides the case counts (the GPU runs them all, with one).
#define EDGELITE_CUDA_KERNEL_SUITE(SUITE, MAKE_RUNNER, SCALE)                                                     \
    TEST(SUITE, Conv2dImplicitGemm) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_conv2d(*r, 160 / SCALE, 11, false), 160 / SCALE); } \
    TEST(SUITE, DepthwiseConv2d) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_conv2d(*r, 100 / SCALE, 12, true), 100 / SCALE); }    \
    TEST(SUITE, ConvTranspose2d) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_conv_transpose2d(*r, 100 / SCALE, 13), 100 / SCALE); } \
    TEST(SUITE, Gemm) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_gemm(*r, 100 / SCALE, 14), 100 / SCALE); }                         \
    TEST(SUITE, MatMul) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_matmul(*r, 100 / SCALE, 15), 100 / SCALE); }                     \
    TEST(SUITE, Unary) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_unary(*r, 100 / SCALE, 16), 100 / SCALE); }                       \
    TEST(SUITE, Binary) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_binary(*r, 200 / SCALE, 17), 200 / SCALE); }                     \
    TEST(SUITE, MaxPool2d) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_pool2d(*r, 120 / SCALE, 18, true), 120 / SCALE); }            \
    TEST(SUITE, AveragePool2d) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_pool2d(*r, 120 / SCALE, 19, false), 120 / SCALE); }       \
    TEST(SUITE, GlobalAveragePool) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_global_average_pool(*r, 60 / SCALE, 20), 60 / SCALE); } \
    TEST(SUITE, Resize2d) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_resize2d(*r, 200 / SCALE, 21), 200 / SCALE); }                 \
    TEST(SUITE, Softmax) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_softmax(*r, 80 / SCALE, 22), 80 / SCALE); }                     \
    TEST(SUITE, ReduceMean) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_reduce_mean(*r, 120 / SCALE, 23), 120 / SCALE); }            \
    TEST(SUITE, Transpose) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_transpose(*r, 120 / SCALE, 24), 120 / SCALE); }               \
    TEST(SUITE, Slice) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_slice(*r, 150 / SCALE, 25), 150 / SCALE); }                       \
    TEST(SUITE, Pad) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_pad(*r, 120 / SCALE, 26), 120 / SCALE); }                           \
    TEST(SUITE, Concat) { auto r = MAKE_RUNNER; EXPECT_EQ(lite::test::suite_concat(*r, 100 / SCALE, 27), 100 / SCALE); }
