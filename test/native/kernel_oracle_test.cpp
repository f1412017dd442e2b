// The reference kernel is the oracle: the CPU backend's fast Conv, ConvTranspose, Gemm and MatMul kernels, built on every SIMD
// table this CPU runs (and through Backend::create_kernel), are compared with the reference kernels on the same
// random inputs over random shapes, strides, pads, dilations, groups, biases and fused activations. Sizes are
// small and include 1 and odd values; blocking and threading are shrunk on part of the cases so that multi-block
// and multi-task paths run too. A failure prints the combination that failed.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "backends/backend.h"
#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "backends/cpu/winograd.h"
#include "core/onnx/onnx_model.h"
#include "ops/op.h"

using namespace lite;
namespace cpu = lite::backend::cpu;

namespace {

struct TestTensor {
    ops::Shape shape;
    std::vector<float> data;
    bool constant = false;  // a model constant: infer sees its value
    ops::TensorView view() const { return {const_cast<float*>(data.data()), LITE_FLOAT, shape}; }
};

// InferContext over test tensors; a missing input is nullptr.
class TestInfer final : public ops::InferContext {
public:
    explicit TestInfer(std::vector<const TestTensor*> inputs) : m_inputs(std::move(inputs)) {
        for (const TestTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
    }
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i]; }
    LiteDataType input_dtype(size_t) const override { return LITE_FLOAT; }
    const ops::Shape& input_shape(size_t i) const override { return m_inputs.at(i)->shape; }
    const ops::TensorView* input_value(size_t i) const override {
        return has_input(i) && m_inputs[i]->constant ? &m_views[i] : nullptr;
    }
    size_t num_outputs() const override { return 1; }
    void set_output(size_t, LiteDataType, const ops::Shape& shape) override { output = shape; }
    int opset() const override { return 13; }
    [[noreturn]] void fail(const std::string& why) const override { throw std::runtime_error(why); }
    ops::Shape output;

private:
    std::vector<const TestTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
};

// RunContext over test tensors; parallel_for runs its chunks on `threads` real threads (in sequence, last chunk
// first, where the tests run under an emulator without working threads).
class TestRun final : public ops::RunContext {
public:
    TestRun(std::vector<const TestTensor*> inputs, const ops::Shape& out_shape, int threads)
            : m_inputs(std::move(inputs)), m_threads(threads) {
        for (const TestTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
        // Garbage (NaN) in the output: every element must be written.
        m_out.assign(static_cast<size_t>(ops::numel(out_shape)), std::nanf(""));
        m_out_view = {m_out.data(), LITE_FLOAT, out_shape};
    }
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i]; }
    const ops::TensorView& input(size_t i) const override { return m_views.at(i); }
    size_t num_outputs() const override { return 1; }
    ops::TensorView& output(size_t) override { return m_out_view; }
    ops::TensorView& allocate_output(size_t, LiteDataType, const ops::Shape&) override { return m_out_view; }
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const override {
        const int64_t chunks = std::min<int64_t>(m_threads, n);
        if (chunks <= 1) {
            if (n > 0) fn(0, n);
            return;
        }
#ifdef EDGELITE_TEST_SEQUENTIAL_CHUNKS
        for (int64_t c = chunks; c-- > 0;) fn(n * c / chunks, n * (c + 1) / chunks);  // last first: no order assumed
        return;
#endif
        std::vector<std::thread> workers;
        std::vector<std::exception_ptr> errors(static_cast<size_t>(chunks));
        auto chunk = [&](int64_t c) {
            try {
                fn(n * c / chunks, n * (c + 1) / chunks);
            } catch (...) {
                errors[static_cast<size_t>(c)] = std::current_exception();
            }
        };
        for (int64_t c = 1; c < chunks; ++c) workers.emplace_back(chunk, c);
        chunk(0);
        for (auto& w : workers) w.join();
        for (auto& e : errors) {
            if (e) std::rethrow_exception(e);
        }
    }
    const std::vector<float>& result() const { return m_out; }

private:
    std::vector<const TestTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
    std::vector<float> m_out;
    ops::TensorView m_out_view;
    int m_threads;
};

onnx::Attribute int_attr(const std::string& name, int64_t v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Int;
    a.i = v;
    return a;
}
onnx::Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Ints;
    a.ints = std::move(v);
    return a;
}
onnx::Attribute float_attr(const std::string& name, float v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Float;
    a.f = v;
    return a;
}
onnx::Attribute string_attr(const std::string& name, const std::string& v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::String;
    a.s = v;
    return a;
}

std::string join(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
}

class Rng {
public:
    explicit Rng(uint32_t seed) : m_gen(seed) {}
    int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(m_gen); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_gen) < p; }
    template <typename T>
    T pick(std::initializer_list<T> values) { return *(values.begin() + range(0, static_cast<int64_t>(values.size()) - 1)); }
    TestTensor tensor(ops::Shape shape, bool constant = false) {
        TestTensor t;
        t.shape = std::move(shape);
        t.constant = constant;
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        t.data.resize(static_cast<size_t>(ops::numel(t.shape)));
        for (float& v : t.data) v = dist(m_gen);
        return t;
    }
    ops::Activation activation() {
        ops::Activation act;
        act.kind = static_cast<ops::Activation::Kind>(range(0, ops::Activation::Tanh));
        if (act.kind == ops::Activation::Clip) {
            act.min = -0.5f + 0.1f * float(range(0, 4));
            act.max = act.min + 0.2f * float(range(1, 6));
        } else if (act.kind == ops::Activation::LeakyRelu) {
            act.alpha = 0.1f;
        } else if (act.kind == ops::Activation::HardSigmoid) {
            act.alpha = 0.2f;
            act.beta = 0.5f;
        }
        return act;
    }

private:
    std::mt19937 m_gen;
};

// Blocking and threading of one case: defaults, or shrunk so that small shapes take the multi-block paths.
struct CaseSetup {
    cpu::GemmTuning tuning;
    int threads = 1;
    std::string describe() const {
        return "kc " + std::to_string(tuning.kc) + " nc " + std::to_string(tuning.nc) + " cols_floats " +
               std::to_string(tuning.cols_floats) + " serial_flops " +
               std::to_string(static_cast<int64_t>(tuning.serial_flops)) + " threads " + std::to_string(threads);
    }
};

CaseSetup random_setup(Rng& rng) {
    CaseSetup s;
    if (rng.chance(0.5)) {
        s.tuning.kc = rng.range(1, 40);
        s.tuning.nc = rng.range(1, 64);
        s.tuning.serial_flops = 0;
        s.tuning.cols_floats = rng.range(1, 300);
        s.threads = static_cast<int>(rng.range(2, 3));
    }
    return s;
}

// Restores the default tuning when a case ends, whatever happens.
struct TuningScope {
    explicit TuningScope(const cpu::GemmTuning& t) { cpu::gemm_tuning() = t; }
    ~TuningScope() { cpu::gemm_tuning() = cpu::GemmTuning{}; }
};

using Factory = std::function<std::unique_ptr<ops::Kernel>(const ops::Attributes&)>;

// Runs a kernel: infer, then the fused activation (as the passes do: after infer), then run.
std::vector<float> run_kernel(ops::Kernel& kernel, const std::vector<const TestTensor*>& inputs, const ops::Activation& act,
                              int threads, ops::Shape* shape = nullptr) {
    TestInfer infer(inputs);
    kernel.infer(infer);
    if (act.kind != ops::Activation::None && !kernel.fuse_activation(act)) throw std::runtime_error("fuse_activation refused");
    TestRun run(inputs, infer.output, threads);
    kernel.run(run);
    if (shape) *shape = infer.output;
    return run.result();
}

// Compares got with want within float-reordering tolerance for dot products of length k; "" or the first mismatch.
std::string compare(const std::vector<float>& want, const std::vector<float>& got, int64_t k, float scale = 1.f) {
    if (want.size() != got.size()) return "sizes differ: " + std::to_string(want.size()) + " vs " + std::to_string(got.size());
    const double tol = 1e-5 * std::sqrt(double(k) + 1) * scale;
    for (size_t i = 0; i < want.size(); ++i) {
        const double diff = std::fabs(double(want[i]) - double(got[i]));
        if (!(diff <= tol * (1 + std::fabs(double(want[i]))))) {
            std::ostringstream os;
            os << "element " << i << ": reference " << want[i] << ", fast " << got[i];
            return os.str();
        }
    }
    return "";
}

// The fast kernels under test: one per SIMD table, plus the backend's own (create_kernel).
struct Variant {
    std::string name;
    std::function<std::unique_ptr<ops::Kernel>(const std::string&, const ops::Attributes&)> create;
};

std::vector<Variant> variants() {
    std::vector<Variant> list;
    list.push_back({"backend", [](const std::string& op, const ops::Attributes& a) {
                        return backend::find_backend(LITE_CPU)->create_kernel(op, a, 13);
                    }});
    for (const cpu::SimdKernels* simd : cpu::available_simd()) {
        list.push_back({simd->name, [simd](const std::string& op, const ops::Attributes& a) -> std::unique_ptr<ops::Kernel> {
                            if (op == "Conv") return cpu::make_conv_kernel(a, 13, *simd);
                            if (op == "ConvTranspose") return cpu::make_conv_transpose_kernel(a, 13, *simd);
                            if (op == "Gemm") return cpu::make_gemm_kernel(a, 13, *simd);
                            return cpu::make_matmul_kernel(a, 13, *simd);
                        }});
    }
    return list;
}

// One op case against every variant: the reference on the inputs, each fast kernel twice (the second run reuses
// packed weights), and, when the weights are not constants, once more after changing them in place.
void check_case(const std::string& op, const std::vector<onnx::Attribute>& attrs, std::vector<TestTensor>& tensors,
                const std::vector<int>& present, const ops::Activation& act, const CaseSetup& setup, int64_t k,
                const std::string& what, float scale = 1.f) {
    std::vector<const TestTensor*> inputs;
    for (size_t i = 0; i < tensors.size(); ++i) inputs.push_back(present[i] ? &tensors[i] : nullptr);
    ops::Attributes attributes(attrs, "test " + op);
    auto reference = ops::find_op(op)->create(attributes, 13);
    std::vector<float> want = run_kernel(*reference, inputs, act, 1);
    TuningScope scope(setup.tuning);
    for (const Variant& v : variants()) {
        std::unique_ptr<ops::Kernel> fast = v.create(op, attributes);
        ASSERT_TRUE(fast) << op << " has no fast kernel";
        TestInfer infer(inputs);
        fast->infer(infer);
        if (act.kind != ops::Activation::None) {
            ASSERT_TRUE(fast->fuse_activation(act));
        }
        for (int pass = 0; pass < 2; ++pass) {
            TestRun run(inputs, infer.output, setup.threads);
            fast->run(run);
            std::string why = compare(want, run.result(), k, scale);
            ASSERT_EQ(why, "") << v.name << " " << what << " act " << act.name() << " " << setup.describe() << " run " << pass;
        }
        if (!tensors[1].constant) {
            std::vector<float> saved = tensors[1].data;
            for (float& w : tensors[1].data) w = -0.5f * w + 0.25f;
            auto reference2 = ops::find_op(op)->create(attributes, 13);
            std::vector<float> want2 = run_kernel(*reference2, inputs, act, 1);
            TestRun run(inputs, infer.output, setup.threads);
            fast->run(run);
            std::string why = compare(want2, run.result(), k, scale);
            tensors[1].data = saved;
            ASSERT_EQ(why, "") << v.name << " " << what << " act " << act.name() << " " << setup.describe()
                               << " after the (non-constant) weights changed";
        }
    }
}

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, const std::string& auto_pad) {
    const int64_t ek = (k - 1) * d + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") return (in + s - 1) / s;
    if (auto_pad == "VALID") return in >= ek ? (in - ek) / s + 1 : 0;
    const int64_t span = in + pb + pe - ek;
    return span < 0 ? 0 : span / s + 1;
}

}  // namespace

TEST(KernelOracle, Conv) {
    Rng rng(20240601);
    int cases = 0;
    while (cases < 260) {
        // Spatial rank: mostly 2-D, some 1-D; a few 3-D (which the fast kernel hands to the reference).
        const int64_t rank = rng.chance(0.1) ? 1 : (rng.chance(0.04) ? 3 : 2);
        const int kind = static_cast<int>(rng.range(0, 9));  // 0-3 dense, 4-6 depthwise, 7 multiplier, 8-9 grouped
        int64_t group = 1, c = rng.range(1, 9), m = rng.range(1, 20);
        if (kind >= 4 && kind <= 6) {
            group = c = m = rng.range(1, 12);
        } else if (kind == 7) {
            group = c = rng.range(2, 6);
            m = 2 * c;
        } else if (kind >= 8) {
            group = rng.range(2, 3);
            c = group * rng.range(1, 4);
            m = group * rng.range(1, 5);
        }
        if (kind == 0 && rng.chance(0.3)) c = rng.range(20, 48);  // K beyond one default K block with 3x3
        const int64_t n = rng.chance(0.2) ? 2 : 1;
        std::vector<int64_t> in, kernel, strides, dilations, pads(static_cast<size_t>(2 * rank));
        const std::string auto_pad = rng.chance(0.25) ? rng.pick<const char*>({"SAME_UPPER", "SAME_LOWER", "VALID"}) : "NOTSET";
        for (int64_t i = 0; i < rank; ++i) {
            in.push_back(rank == 3 ? rng.range(1, 5) : rng.range(1, rank == 1 ? 40 : 17));
            kernel.push_back(rng.pick<int64_t>({1, 3, 3, 5, 7, 2}));
            strides.push_back(rng.pick<int64_t>({1, 1, 2, 3}));
            dilations.push_back(rng.chance(0.15) ? 2 : 1);
        }
        if (rank == 2 && rng.chance(0.7)) kernel[1] = kernel[0];
        for (auto& p : pads) p = rng.range(0, 3);
        if (rank == 2 && rng.chance(0.4)) {
            // A layer as the models have them (so that every fast path sees rows longer than a vector): square
            // 1x1/3x3/5x5 kernels, equal strides 1 or 2, centred or TF-"SAME" pads, planes up to 40 wide.
            const int64_t k = rng.pick<int64_t>({1, 3, 3, 5}), s = rng.pick<int64_t>({1, 1, 2});
            kernel = {k, k};
            strides = {s, s};
            dilations = {1, 1};
            in = {rng.range(2, 24), rng.range(2, 40)};
            const int64_t lead = s == 2 && rng.chance(0.5) ? (k - 1) / 2 - (k > 1) : (k - 1) / 2;
            pads = {lead, lead, k - 1 - lead, k - 1 - lead};
        }
        bool valid = true;
        std::vector<int64_t> out;
        for (int64_t i = 0; i < rank; ++i) {
            out.push_back(out_size(in[size_t(i)], kernel[size_t(i)], strides[size_t(i)], dilations[size_t(i)], pads[size_t(i)],
                                   pads[size_t(i + rank)], auto_pad));
            valid = valid && out.back() > 0;
        }
        if (!valid) continue;
        ++cases;
        const bool bias = rng.chance(0.6), weights_constant = rng.chance(0.7);
        std::vector<onnx::Attribute> attrs;
        if (rng.chance(0.7)) attrs.push_back(ints_attr("kernel_shape", kernel));
        if (strides != std::vector<int64_t>(size_t(rank), 1) || rng.chance(0.3)) attrs.push_back(ints_attr("strides", strides));
        if (dilations != std::vector<int64_t>(size_t(rank), 1)) attrs.push_back(ints_attr("dilations", dilations));
        if (auto_pad == "NOTSET") {
            attrs.push_back(ints_attr("pads", pads));
        } else {
            attrs.push_back(string_attr("auto_pad", auto_pad));
        }
        if (group != 1 || rng.chance(0.2)) attrs.push_back(int_attr("group", group));
        ops::Shape xs{n, c}, ws{m, c / group};
        xs.insert(xs.end(), in.begin(), in.end());
        ws.insert(ws.end(), kernel.begin(), kernel.end());
        std::vector<TestTensor> tensors{rng.tensor(xs), rng.tensor(ws, weights_constant), rng.tensor({m}, true)};
        const ops::Activation act = rng.chance(0.5) ? rng.activation() : ops::Activation{};
        const CaseSetup setup = random_setup(rng);
        int64_t k = c / group;
        for (int64_t v : kernel) k *= v;
        std::ostringstream what;
        what << "case " << cases << ": X " << join(xs) << " W " << join(ws) << " group " << group << " strides " << join(strides)
             << " dilations " << join(dilations) << " pads " << join(pads) << " auto_pad " << auto_pad << " bias " << bias
             << " constant W " << weights_constant;
        check_case("Conv", attrs, tensors, {1, 1, bias}, act, setup, k, what.str());
        if (HasFatalFailure()) return;
    }
}

// The Winograd path of Conv (3x3, stride 1): shapes that take it (odd sizes, sizes not multiples of the 4x4 tile,
// channels and maps not multiples of the register tile, batch 2, pads 1 and 0 and uneven, bias, fused activations,
// constant and changing weights) on every table, with the magnitudes of real layers (weights ~N(0, 0.1), inputs
// ~N(0, 1), up to 256 channels). Winograd rounds differently from a direct sum: each output tensor must stay within
// relative L2 1e-5 of the reference, and each element within the usual tolerance.
TEST(KernelOracle, ConvWinograd) {
    Rng rng(9001);
    std::mt19937 gen(5);
    auto normal = [&](ops::Shape shape, float sigma, bool constant) {
        TestTensor t;
        t.shape = std::move(shape);
        t.constant = constant;
        std::normal_distribution<float> dist(0.f, sigma);
        t.data.resize(static_cast<size_t>(ops::numel(t.shape)));
        for (float& v : t.data) v = dist(gen);
        return t;
    };
    double worst = 0;
    for (int cases = 1; cases <= 48; ++cases) {
        const int64_t n = rng.chance(0.25) ? 2 : 1;
        const int64_t c = cases % 12 == 0 ? rng.pick<int64_t>({96, 160, 256}) : rng.range(8, 40);
        const int64_t m = cases % 12 == 0 ? rng.range(16, 28) : rng.range(4, 37);
        std::vector<int64_t> pads;
        switch (rng.range(0, 3)) {
            case 0: pads = {0, 0, 0, 0}; break;
            case 1: pads = {1, 0, 0, 1}; break;
            case 2: pads = {rng.range(0, 2), rng.range(0, 2), rng.range(0, 2), rng.range(0, 2)}; break;
            default: pads = {1, 1, 1, 1}; break;
        }
        int64_t h = 0, w = 0, oh = 0, ow = 0;
        do {  // odd and even sizes, as large as the Winograd path asks
            h = rng.range(8, cases % 12 == 0 ? 20 : 37), w = rng.range(8, 41);
            oh = h + pads[0] + pads[2] - 2, ow = w + pads[1] + pads[3] - 2;
        } while (oh * ow < cpu::winograd_tuning().min_outputs);
        cpu::WinogradShape shape{n, c, m, h, w, oh, ow, pads[0], pads[1]};
        ASSERT_TRUE(cpu::winograd_applies(shape)) << "case " << cases << " does not take the Winograd path";
        const bool bias = rng.chance(0.6), weights_constant = rng.chance(0.7);
        ops::Activation act;
        switch (rng.range(0, 5)) {
            case 0: act.kind = ops::Activation::Relu; break;
            case 1: act.kind = ops::Activation::Clip, act.min = 0.f, act.max = 6.f; break;
            case 2: act.kind = ops::Activation::HardSwish; break;
            case 3: act = rng.activation(); break;
            default: break;
        }
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", {3, 3}), ints_attr("pads", pads)};
        std::vector<TestTensor> tensors{normal({n, c, h, w}, 1.f, false), normal({m, c, 3, 3}, 0.1f, weights_constant),
                                        normal({m}, 0.1f, true)};
        const std::vector<float> saved_weights = tensors[1].data;
        std::vector<const TestTensor*> inputs{&tensors[0], &tensors[1], bias ? &tensors[2] : nullptr};
        ops::Attributes attributes(attrs, "test Conv");
        auto reference = ops::find_op("Conv")->create(attributes, 13);
        const std::vector<float> want = run_kernel(*reference, inputs, act, 1);
        const CaseSetup setup = random_setup(rng);
        std::ostringstream what;
        what << "case " << cases << ": X " << join({n, c, h, w}) << " W " << join({m, c, 3, 3}) << " pads " << join(pads)
             << " bias " << bias << " constant W " << weights_constant << " act " << act.name() << " " << setup.describe();
        TuningScope scope(setup.tuning);
        for (const Variant& v : variants()) {
            std::unique_ptr<ops::Kernel> fast = v.create("Conv", attributes);
            TestInfer infer(inputs);
            fast->infer(infer);
            if (act.kind != ops::Activation::None) {
                ASSERT_TRUE(fast->fuse_activation(act));
            }
            // Twice (the second run reuses the transformed weights), then, when the weights are not constants,
            // once more after changing them in place.
            for (int pass = 0; pass < (weights_constant ? 2 : 3); ++pass) {
                std::vector<float> expected = want;
                if (pass == 2) {
                    for (float& x : tensors[1].data) x = -0.5f * x + 0.01f;
                    auto reference2 = ops::find_op("Conv")->create(attributes, 13);
                    expected = run_kernel(*reference2, inputs, act, 1);
                }
                const uint64_t runs = cpu::winograd_runs();
                TestRun run(inputs, infer.output, setup.threads);
                fast->run(run);
                if (pass == 2) tensors[1].data = saved_weights;
                ASSERT_EQ(cpu::winograd_runs(), runs + 1) << v.name << " " << what.str() << ": the Winograd path was not taken";
                double err = 0, norm = 0;
                for (size_t i = 0; i < expected.size(); ++i) {
                    const double d = double(run.result()[i]) - double(expected[i]);
                    err += d * d;
                    norm += double(expected[i]) * double(expected[i]);
                }
                const double rel = std::sqrt(err / std::max(norm, 1e-30));
                worst = std::max(worst, rel);
                EXPECT_LE(rel, 1e-5) << v.name << " " << what.str() << " run " << pass;
                ASSERT_EQ(compare(expected, run.result(), c * 9), "") << v.name << " " << what.str() << " run " << pass;
            }
        }
    }
    std::printf("Winograd: largest relative L2 error against the reference %.3g\n", worst);
}

// A residual fused into Conv (fuse_residual_add: input 3, added before the activation, possibly with fewer
// channels than the output) on the GEMM, depthwise and (through the backend's kernel) every other path, with an
// activation and a post-activation affine, against the reference doing the same.
TEST(KernelOracle, ConvResidual) {
    Rng rng(77031);
    for (int cases = 0; cases < 120; ++cases) {
        const int kind = static_cast<int>(rng.range(0, 3));  // 0: 1x1, 1: 3x3 dense, 2: depthwise 3x3, 3: 5x5 s2
        const bool depthwise = kind == 2;
        const int64_t n = rng.chance(0.3) ? 2 : 1, c = depthwise ? rng.range(1, 40) : rng.range(1, 30);
        const int64_t m = depthwise ? c : rng.range(1, 40), h = rng.range(1, 20), w = rng.range(1, 40);
        const int64_t k = kind == 0 ? 1 : (kind == 3 ? 5 : 3), s = kind == 3 ? 2 : 1, p = (k - 1) / 2;
        const int64_t oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        if (oh <= 0 || ow <= 0) continue;
        std::vector<onnx::Attribute> attrs{ints_attr("kernel_shape", {k, k}), ints_attr("strides", {s, s}),
                                           ints_attr("pads", {p, p, p, p})};
        if (depthwise) attrs.push_back(int_attr("group", c));
        const int64_t residual_maps = rng.chance(0.5) ? m : rng.range(0, m);
        const bool bias = rng.chance(0.5);
        std::vector<TestTensor> tensors{rng.tensor({n, c, h, w}), rng.tensor({m, depthwise ? 1 : c, k, k}, true),
                                        rng.tensor({m}, true), rng.tensor({n, residual_maps, oh, ow})};
        std::vector<const TestTensor*> inputs{&tensors[0], &tensors[1], bias ? &tensors[2] : nullptr, &tensors[3]};
        ops::Activation act = rng.chance(0.7) ? rng.activation() : ops::Activation{};
        if (rng.chance(0.3)) act.scale = 1.5f, act.shift = -0.25f;
        ops::Attributes attributes(attrs, "test Conv residual");
        auto prepare = [&](ops::Kernel& kernel, TestInfer& infer) {
            EXPECT_TRUE(kernel.fuse_residual_add());
            kernel.infer(infer);
            if (!act.identity()) {
                EXPECT_TRUE(kernel.fuse_activation(act));
            }
        };
        auto reference = ops::find_op("Conv")->create(attributes, 13);
        TestInfer reference_infer(inputs);
        prepare(*reference, reference_infer);
        TestRun reference_run(inputs, reference_infer.output, 1);
        reference->run(reference_run);
        const std::vector<float> want = reference_run.result();
        for (const Variant& v : variants()) {
            std::unique_ptr<ops::Kernel> fast = v.create("Conv", attributes);
            TestInfer infer(inputs);
            prepare(*fast, infer);
            TestRun run(inputs, infer.output, 2);
            fast->run(run);
            const std::string why = compare(want, run.result(), (depthwise ? 1 : c) * k * k, 2.f);
            ASSERT_EQ(why, "") << v.name << " case " << cases << ": X " << join({n, c, h, w}) << " M " << m << " k " << k << " s " << s
                               << " residual maps " << residual_maps << " bias " << bias << " act " << act.name();
        }
    }
}

TEST(KernelOracle, ConvTranspose) {
    Rng rng(31337);
    for (int cases = 1; cases <= 120; ++cases) {
        const int64_t rank = rng.chance(0.1) ? 1 : (rng.chance(0.04) ? 3 : 2);
        const int64_t group = rng.chance(0.25) ? rng.range(2, 3) : 1;
        const int64_t c = group * rng.range(1, 6), mg = rng.range(1, 6), n = rng.chance(0.2) ? 2 : 1;
        const std::string auto_pad = rng.chance(0.25) ? rng.pick<const char*>({"SAME_UPPER", "SAME_LOWER", "VALID"}) : "NOTSET";
        const bool with_output_shape = auto_pad == "NOTSET" && rng.chance(0.2);
        std::vector<int64_t> in, kernel, strides, dilations, output_padding, output_shape, pads(size_t(2 * rank));
        for (int64_t i = 0; i < rank; ++i) {
            in.push_back(rng.range(1, rank == 3 ? 4 : 12));
            kernel.push_back(rng.pick<int64_t>({1, 2, 3, 4, 5}));
            strides.push_back(rng.pick<int64_t>({1, 2, 2, 3}));
            dilations.push_back(rng.chance(0.15) ? 2 : 1);
            output_padding.push_back(rng.range(0, strides.back() - 1));
        }
        const bool upsampling = rank == 2 && auto_pad != "SAME_LOWER" && rng.chance(0.3);
        if (upsampling) {  // kernel == stride, no pads: the learned upsampling of segmentation heads
            const int64_t s = rng.pick<int64_t>({2, 2, 3, 1});
            kernel = strides = {s, s};
            dilations = {1, 1};
            in = {rng.range(1, 12), rng.range(1, 20)};
        }
        const bool with_output_padding = !upsampling && rng.chance(0.5);
        if (!with_output_padding) output_padding.assign(size_t(rank), 0);
        bool valid = true;
        for (int64_t i = 0; i < rank; ++i) {
            const size_t u = size_t(i);
            const int64_t full = strides[u] * (in[u] - 1) + output_padding[u] + (kernel[u] - 1) * dilations[u] + 1;
            pads[u] = upsampling ? 0 : rng.range(0, 2);
            pads[u + size_t(rank)] = upsampling ? 0 : rng.range(0, 2);
            if (auto_pad == "NOTSET" && !with_output_shape) valid = valid && full - pads[u] - pads[u + size_t(rank)] > 0;
            output_shape.push_back(std::max<int64_t>(1, full + rng.range(-2, 1)));
        }
        if (!valid) {
            --cases;
            continue;
        }
        std::vector<onnx::Attribute> attrs{ints_attr("strides", strides)};
        if (rng.chance(0.6)) attrs.push_back(ints_attr("kernel_shape", kernel));
        if (dilations != std::vector<int64_t>(size_t(rank), 1)) attrs.push_back(ints_attr("dilations", dilations));
        if (with_output_padding) attrs.push_back(ints_attr("output_padding", output_padding));
        if (with_output_shape) {
            attrs.push_back(ints_attr("output_shape", output_shape));
        } else if (auto_pad == "NOTSET") {
            attrs.push_back(ints_attr("pads", pads));
        } else {
            attrs.push_back(string_attr("auto_pad", auto_pad));
        }
        if (group != 1) attrs.push_back(int_attr("group", group));
        ops::Shape xs{n, c}, ws{c, mg};
        xs.insert(xs.end(), in.begin(), in.end());
        ws.insert(ws.end(), kernel.begin(), kernel.end());
        const bool bias = rng.chance(0.6), weights_constant = rng.chance(0.7);
        std::vector<TestTensor> tensors{rng.tensor(xs), rng.tensor(ws, weights_constant), rng.tensor({mg * group}, true)};
        const ops::Activation act = rng.chance(0.5) ? rng.activation() : ops::Activation{};
        const CaseSetup setup = random_setup(rng);
        int64_t k = c / group;
        for (int64_t v : kernel) k *= v;
        std::ostringstream what;
        what << "case " << cases << ": X " << join(xs) << " W " << join(ws) << " group " << group << " strides " << join(strides)
             << " dilations " << join(dilations) << " pads " << join(pads) << " output_padding " << join(output_padding)
             << " output_shape " << (with_output_shape ? join(output_shape) : "none") << " auto_pad " << auto_pad << " bias "
             << bias << " constant W " << weights_constant;
        check_case("ConvTranspose", attrs, tensors, {1, 1, bias}, act, setup, k, what.str());
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, Gemm) {
    Rng rng(777);
    for (int cases = 1; cases <= 120; ++cases) {
        const int64_t m = rng.chance(0.2) ? 1 : rng.range(1, 40), n = rng.range(1, 50), k = rng.chance(0.2) ? rng.range(200, 300) : rng.range(1, 40);
        const bool trans_a = rng.chance(0.5), trans_b = rng.chance(0.5), b_constant = rng.chance(0.6);
        const float alpha = rng.pick<float>({1.f, 1.f, 0.5f, -1.5f}), beta = rng.pick<float>({1.f, 1.f, 0.f, 2.f});
        const int c_kind = static_cast<int>(rng.range(0, 6));
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
        std::vector<onnx::Attribute> attrs{float_attr("alpha", alpha), float_attr("beta", beta), int_attr("transA", trans_a),
                                           int_attr("transB", trans_b)};
        std::vector<TestTensor> tensors{rng.tensor(trans_a ? ops::Shape{k, m} : ops::Shape{m, k}),
                                        rng.tensor(trans_b ? ops::Shape{n, k} : ops::Shape{k, n}, b_constant),
                                        rng.tensor(c_kind ? cs : ops::Shape{1}, true)};
        const ops::Activation act = rng.chance(0.5) ? rng.activation() : ops::Activation{};
        const CaseSetup setup = random_setup(rng);
        std::ostringstream what;
        what << "case " << cases << ": M " << m << " N " << n << " K " << k << " transA " << trans_a << " transB " << trans_b
             << " alpha " << alpha << " beta " << beta << " C " << (c_kind ? join(cs) : "none") << " constant B " << b_constant;
        check_case("Gemm", attrs, tensors, {1, 1, c_kind != 0}, act, setup, k, what.str(), std::max(1.f, std::fabs(alpha)));
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, MatMul) {
    Rng rng(4242);
    for (int cases = 1; cases <= 120; ++cases) {
        const int64_t m = rng.range(1, 24), n = rng.range(1, 40), k = rng.chance(0.15) ? rng.range(250, 300) : rng.range(1, 30);
        ops::Shape as{m, k}, bs{k, n};
        switch (rng.range(0, 6)) {
            case 1: as = {k}; break;                                           // vector x matrix
            case 2: bs = {k}; break;                                           // matrix x vector
            case 3: as = {rng.range(1, 3), m, k}; break;                       // batched A, 2-D B
            case 4: as = {rng.range(2, 3), m, k}; bs = {as[0], k, n}; break;   // batched both
            case 5: as = {2, 1, m, k}; bs = {rng.range(1, 3), k, n}; break;    // broadcast batch dims
            case 6: as = {m, k}; bs = {2, k, n}; break;                        // 2-D A, batched B
            default: break;
        }
        const bool b_constant = rng.chance(0.6);
        std::vector<TestTensor> tensors{rng.tensor(as), rng.tensor(bs, b_constant)};
        const ops::Activation act = rng.chance(0.4) ? rng.activation() : ops::Activation{};
        const CaseSetup setup = random_setup(rng);
        std::ostringstream what;
        what << "case " << cases << ": A " << join(as) << " B " << join(bs) << " constant B " << b_constant;
        check_case("MatMul", {}, tensors, {1, 1}, act, setup, k, what.str());
        if (HasFatalFailure()) return;
    }
}

// The table this CPU gets is one the tests cover, and it is the first (fastest) one.
TEST(KernelOracle, BestSimdIsCovered) {
    auto tables = cpu::available_simd();
    ASSERT_FALSE(tables.empty());
    EXPECT_EQ(&cpu::best_simd(), tables.front());
    EXPECT_STREQ(tables.back()->name, cpu::generic_simd()->name);
}
