// The reference kernel is the oracle, for the CPU backend's memory-bound fast kernels (MaxPool, AveragePool,
// GlobalAveragePool, Transpose, Softmax, LogSoftmax, Sigmoid, Tanh): built on every SIMD table this CPU runs and
// through Backend::create_kernel, each is compared with the reference kernel on the same random inputs over random
// shapes (1-wide and odd sizes, planes wider than a vector), attributes, dtypes and NaN/inf/-0 values, on one thread
// and on several with the threading gate off. These kernels take any dtype and several outputs, so the harness is
// not kernel_oracle_test.cpp's float-only one. A failure prints the combination that failed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "backends/backend.h"
#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "core/onnx/onnx_model.h"
#include "lite/layout.h"
#include "ops/op.h"

using namespace lite;
namespace cpu = lite::backend::cpu;

namespace {

struct Tensor {
    LiteDataType dtype = LITE_FLOAT;
    ops::Shape shape;
    std::vector<uint8_t> bytes;

    ops::TensorView view() const { return {const_cast<uint8_t*>(bytes.data()), dtype, shape}; }
    float* floats() { return reinterpret_cast<float*>(bytes.data()); }
    const float* floats() const { return reinterpret_cast<const float*>(bytes.data()); }
    int64_t numel() const { return ops::numel(shape); }
};

class Infer final : public ops::InferContext {
public:
    Infer(const Tensor& input, size_t outputs, int opset) : m_input(input), m_opset(opset), shapes(outputs), dtypes(outputs) {}
    size_t num_inputs() const override { return 1; }
    bool has_input(size_t i) const override { return i == 0; }
    LiteDataType input_dtype(size_t) const override { return m_input.dtype; }
    const ops::Shape& input_shape(size_t) const override { return m_input.shape; }
    const ops::TensorView* input_value(size_t) const override { return nullptr; }
    size_t num_outputs() const override { return shapes.size(); }
    void set_output(size_t i, LiteDataType dtype, const ops::Shape& shape) override {
        dtypes.at(i) = dtype;
        shapes.at(i) = shape;
    }
    int opset() const override { return m_opset; }
    [[noreturn]] void fail(const std::string& why) const override { throw std::runtime_error(why); }

private:
    const Tensor& m_input;
    int m_opset;

public:
    std::vector<ops::Shape> shapes;
    std::vector<LiteDataType> dtypes;
};

// Runs on `threads` real threads (in sequence, last chunk first, under an emulator without working threads). The
// outputs start as 0xff bytes (NaN for floats): every element must be written. In place, output 0 starts as a copy
// of the input, which the kernel reads through the same memory.
class Run final : public ops::RunContext {
public:
    Run(const Tensor& input, const Infer& infer, int threads, bool in_place) : m_input(input.view()), m_threads(threads) {
        for (size_t i = 0; i < infer.shapes.size(); ++i) {
            Tensor t{infer.dtypes[i], infer.shapes[i], {}};
            t.bytes.assign(static_cast<size_t>(t.numel()) * dtype_size(t.dtype), 0xff);
            if (i == 0 && in_place) t.bytes = input.bytes;
            outputs.push_back(std::move(t));
        }
        for (Tensor& t : outputs) m_views.push_back({t.bytes.data(), t.dtype, t.shape});
        if (in_place) m_input.data = outputs[0].bytes.data();
    }
    size_t num_inputs() const override { return 1; }
    bool has_input(size_t i) const override { return i == 0; }
    const ops::TensorView& input(size_t) const override { return m_input; }
    size_t num_outputs() const override { return outputs.size(); }
    ops::TensorView& output(size_t i) override { return m_views.at(i); }
    ops::TensorView& allocate_output(size_t i, LiteDataType, const ops::Shape&) override { return m_views.at(i); }
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const override {
        const int64_t chunks = std::min<int64_t>(m_threads, n);
        if (chunks <= 1) {
            if (n > 0) fn(0, n);
            return;
        }
#ifdef EDGELITE_TEST_SEQUENTIAL_CHUNKS
        for (int64_t c = chunks; c-- > 0;) fn(n * c / chunks, n * (c + 1) / chunks);
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
    std::vector<Tensor> outputs;

private:
    ops::TensorView m_input;
    std::vector<ops::TensorView> m_views;
    int m_threads;
};

std::vector<Tensor> run_kernel(ops::Kernel& kernel, const Tensor& input, size_t outputs, int opset, int threads,
                               bool in_place = false) {
    Infer infer(input, outputs, opset);
    kernel.infer(infer);
    Run run(input, infer, threads, in_place);
    kernel.run(run);
    return std::move(run.outputs);
}

onnx::Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Ints;
    a.ints = std::move(v);
    return a;
}
onnx::Attribute int_attr(const std::string& name, int64_t v) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Int;
    a.i = v;
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
    //! Floats in [-scale, scale]; with `specials`, some NaN, +-inf, +-0 and extreme values among them.
    Tensor floats(ops::Shape shape, float scale = 1.f, bool specials = false) {
        Tensor t{LITE_FLOAT, std::move(shape), {}};
        t.bytes.resize(static_cast<size_t>(t.numel()) * 4);
        std::uniform_real_distribution<float> dist(-scale, scale);
        float* v = t.floats();
        for (int64_t i = 0; i < t.numel(); ++i) v[i] = dist(m_gen);
        if (specials) {
            const float inf = std::numeric_limits<float>::infinity();
            for (int64_t n = range(1, 4 + t.numel() / 200); n-- > 0 && t.numel();) {
                v[range(0, t.numel() - 1)] = pick<float>({std::nanf(""), -std::nanf(""), inf, -inf, 0.f, -0.f, 88.9f,
                                                          -88.9f, 87.5f, -87.5f, 1e-40f, -3e38f, 1e-8f});
            }
        }
        return t;
    }
    Tensor bytes(LiteDataType dtype, ops::Shape shape) {
        Tensor t{dtype, std::move(shape), {}};
        t.bytes.resize(static_cast<size_t>(t.numel()) * dtype_size(dtype));
        for (uint8_t& b : t.bytes) b = static_cast<uint8_t>(range(0, 255));
        return t;
    }

private:
    std::mt19937 m_gen;
};

// Threads and the threading gate of one case: one thread, or 2-3 with the gate off so that small shapes split.
struct Setup {
    int threads = 1;
    bool gate_off = false;
    std::string describe() const { return "threads " + std::to_string(threads) + (gate_off ? " gate off" : ""); }
};
Setup random_setup(Rng& rng) {
    Setup s;
    if (rng.chance(0.5)) {
        s.threads = static_cast<int>(rng.range(2, 3));
        s.gate_off = true;
    }
    return s;
}

struct GateScope {
    explicit GateScope(bool off) {
        if (off) cpu::gemm_tuning().serial_floats = 0;
    }
    ~GateScope() { cpu::gemm_tuning() = cpu::GemmTuning{}; }
};

using Make = std::unique_ptr<ops::Kernel> (*)(const ops::Attributes&, int, const cpu::SimdKernels&);

// How outputs are compared: bytes (data movement), values (max: equal or both NaN), or within tolerance
// (|got - want| <= abs_tol + rel_tol * (|want| + |input|), equal infinities and both NaN pass).
struct Tolerance {
    enum Kind { Bytes, Values, Close } kind = Bytes;
    double abs_tol = 0, rel_tol = 0;
    bool input_relative = false;  //!< the input's magnitude counts too (LogSoftmax: x - c for x near c)
};

std::string compare(const Tensor& want, const Tensor& got, const Tensor& input, const Tolerance& tol) {
    if (want.shape != got.shape || want.dtype != got.dtype) return "shapes or dtypes differ: " + join(want.shape) + " vs " + join(got.shape);
    if (tol.kind == Tolerance::Bytes || want.dtype != LITE_FLOAT) {
        for (size_t i = 0; i < want.bytes.size(); ++i) {
            if (want.bytes[i] != got.bytes[i]) return "byte " + std::to_string(i) + " differs";
        }
        return "";
    }
    for (int64_t i = 0; i < want.numel(); ++i) {
        const double w = want.floats()[i], g = got.floats()[i];
        bool ok = w == g || (std::isnan(w) && std::isnan(g));
        if (!ok && tol.kind == Tolerance::Close && std::isfinite(w) && std::isfinite(g)) {
            const double x = tol.input_relative ? std::fabs(double(input.floats()[i])) : 0.0;
            ok = std::fabs(w - g) <= tol.abs_tol + tol.rel_tol * (std::fabs(w) + x);
        }
        if (!ok) {
            std::ostringstream os;
            os << "element " << i << ": reference " << w << ", fast " << g;
            if (tol.input_relative || input.numel() == want.numel()) os << ", input " << input.floats()[i];
            return os.str();
        }
    }
    return "";
}

// One case: the reference against the backend's kernel and the kernel on each SIMD table, each run twice (the
// second time in place where the op allows it).
void check_case(const std::string& op, Make make, const std::vector<onnx::Attribute>& attrs, const Tensor& input,
                size_t outputs, int opset, const Setup& setup, const Tolerance& tol, const std::string& what) {
    ops::Attributes attributes(attrs, "test " + op);
    auto reference = ops::find_op(op)->create(attributes, opset);
    const std::vector<Tensor> want = run_kernel(*reference, input, outputs, opset, 1);
    GateScope gate(setup.gate_off);
    struct Variant {
        std::string name;
        std::unique_ptr<ops::Kernel> kernel;
    };
    std::vector<Variant> variants;
    variants.push_back({"backend", backend::find_backend(LITE_CPU)->create_kernel(op, attributes, opset)});
    for (const cpu::SimdKernels* simd : cpu::available_simd()) variants.push_back({simd->name, make(attributes, opset, *simd)});
    for (Variant& v : variants) {
        ASSERT_TRUE(v.kernel) << op << " has no fast kernel";
        std::vector<const ops::TensorView*> no_constants(1, nullptr);
        ops::Activation a, b;
        ASSERT_EQ(v.kernel->as_activation(no_constants, a), reference->as_activation(no_constants, b)) << op;
        ASSERT_EQ(a.kind, b.kind) << op;
        ASSERT_EQ(v.kernel->inplace_ok(), reference->inplace_ok()) << op;
        for (int pass = 0; pass < 2; ++pass) {
            const bool in_place = pass == 1 && v.kernel->inplace_ok();
            const std::vector<Tensor> got = run_kernel(*v.kernel, input, outputs, opset, setup.threads, in_place);
            ASSERT_EQ(got.size(), want.size());
            for (size_t i = 0; i < want.size(); ++i) {
                const std::string why = compare(want[i], got[i], input, tol);
                ASSERT_EQ(why, "") << v.name << " " << what << " output " << i << " " << setup.describe()
                                   << (in_place ? " in place" : "");
            }
        }
    }
}

// Random window attributes of a 1-D or 2-D pool (sometimes 3-D or dilated: the reference's cases), valid for
// the input's spatial dims; false when the output would be empty.
bool random_window(Rng& rng, const ops::Shape& spatial, std::vector<onnx::Attribute>& attrs, std::string& what) {
    const size_t rank = spatial.size();
    std::vector<int64_t> kernel, strides, dilations, pads(2 * rank);
    for (size_t i = 0; i < rank; ++i) {
        kernel.push_back(rng.pick<int64_t>({1, 2, 2, 3, 3, 5}));
        strides.push_back(rng.pick<int64_t>({1, 1, 2, 2, 3}));
        dilations.push_back(rng.chance(0.1) ? 2 : 1);
    }
    if (rank == 2 && rng.chance(0.7)) kernel[1] = kernel[0], strides[1] = strides[0];
    for (size_t i = 0; i < 2 * rank; ++i) {
        // Pads below the kernel size as ONNX asks, sometimes beyond it (windows without an input element).
        const int64_t k = kernel[i % rank];
        pads[i] = rng.chance(0.05) ? rng.range(0, k + 1) : rng.range(0, k - 1);
    }
    if (rng.chance(0.2)) pads.assign(2 * rank, 0);  // and no pads attribute
    if (rank == 2 && rng.chance(0.3)) {  // a layer as the models have them: 2x2 stride 2, 3x3 stride 2 or 1 pad 1
        const int64_t k = rng.pick<int64_t>({2, 2, 3, 3}), s = k == 2 || rng.chance(0.7) ? 2 : 1;
        kernel = {k, k};
        strides = {s, s};
        dilations = {1, 1};
        pads.assign(4, k == 3 ? 1 : 0);
    }
    const bool ceil_mode = rng.chance(0.3);
    const std::string auto_pad = rng.chance(0.2) ? rng.pick<const char*>({"SAME_UPPER", "SAME_LOWER", "VALID"}) : "NOTSET";
    for (size_t i = 0; i < rank; ++i) {
        const int64_t ek = (kernel[i] - 1) * dilations[i] + 1;
        const int64_t span = auto_pad == "NOTSET" ? spatial[i] + pads[i] + pads[i + rank] - ek : spatial[i] - ek;
        if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && span < 0) return false;
    }
    attrs.push_back(ints_attr("kernel_shape", kernel));
    if (rng.chance(0.8)) attrs.push_back(ints_attr("strides", strides));
    else strides.assign(rank, 1);
    if (dilations != std::vector<int64_t>(rank, 1)) attrs.push_back(ints_attr("dilations", dilations));
    if (auto_pad != "NOTSET") {
        attrs.push_back(string_attr("auto_pad", auto_pad));
    } else if (pads != std::vector<int64_t>(2 * rank, 0)) {
        attrs.push_back(ints_attr("pads", pads));
    }
    if (ceil_mode) attrs.push_back(int_attr("ceil_mode", 1));
    std::ostringstream os;
    os << " kernel " << join(kernel) << " strides " << join(strides) << " dilations " << join(dilations) << " pads "
       << join(pads) << " auto_pad " << auto_pad << " ceil_mode " << ceil_mode;
    what += os.str();
    return true;
}

ops::Shape random_pool_input(Rng& rng, size_t spatial_rank) {
    ops::Shape shape{rng.chance(0.2) ? 2 : 1, rng.range(1, 5)};
    for (size_t i = 0; i < spatial_rank; ++i) shape.push_back(spatial_rank == 3 ? rng.range(1, 5) : rng.range(1, 12));
    // Rows as the models have them, longer than a vector, often.
    if (spatial_rank <= 2 && rng.chance(0.5)) shape.back() = rng.range(13, 70);
    return shape;
}

}  // namespace

TEST(KernelOracle, MaxPool) {
    Rng rng(1201);
    for (int cases = 1; cases <= 300;) {
        const size_t spatial = rng.chance(0.15) ? 1 : (rng.chance(0.05) ? 3 : 2);
        const ops::Shape xs = random_pool_input(rng, spatial);
        std::vector<onnx::Attribute> attrs;
        std::ostringstream os;
        os << "case " << cases << ": X " << join(xs);
        std::string what = os.str();
        if (!random_window(rng, ops::Shape(xs.begin() + 2, xs.end()), attrs, what)) continue;
        ++cases;
        const size_t outputs = rng.chance(0.1) ? 2 : 1;  // with Indices: the reference's case
        if (outputs == 2 && rng.chance(0.5)) attrs.push_back(int_attr("storage_order", 1));
        const LiteDataType dtype = rng.chance(0.1) ? rng.pick<LiteDataType>({LITE_INT8, LITE_UINT8}) : LITE_FLOAT;
        const Tensor x = dtype == LITE_FLOAT ? rng.floats(xs, 1.f, rng.chance(0.3)) : rng.bytes(dtype, xs);
        what += " dtype " + std::to_string(dtype) + " outputs " + std::to_string(outputs);
        check_case("MaxPool", cpu::make_max_pool_kernel, attrs, x, outputs, 13, random_setup(rng), {Tolerance::Values}, what);
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, AveragePool) {
    Rng rng(1202);
    for (int cases = 1; cases <= 300;) {
        const size_t spatial = rng.chance(0.15) ? 1 : (rng.chance(0.05) ? 3 : 2);
        const ops::Shape xs = random_pool_input(rng, spatial);
        std::vector<onnx::Attribute> attrs;
        std::ostringstream os;
        os << "case " << cases << ": X " << join(xs);
        std::string what = os.str();
        if (!random_window(rng, ops::Shape(xs.begin() + 2, xs.end()), attrs, what)) continue;
        ++cases;
        const bool include_pad = rng.chance(0.5);
        if (include_pad || rng.chance(0.3)) attrs.push_back(int_attr("count_include_pad", include_pad));
        what += " count_include_pad " + std::to_string(include_pad);
        const Tensor x = rng.floats(xs, 1.f, rng.chance(0.2));
        check_case("AveragePool", cpu::make_average_pool_kernel, attrs, x, 1, 19, random_setup(rng),
                   {Tolerance::Close, 1e-6, 1e-5}, what);
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, GlobalAveragePool) {
    Rng rng(1203);
    for (int cases = 1; cases <= 150; ++cases) {
        ops::Shape xs{rng.chance(0.2) ? 2 : 1, rng.range(1, 8)};
        const int64_t spatial = rng.range(0, 3);
        for (int64_t i = 0; i < spatial; ++i) xs.push_back(rng.range(1, 13));
        if (rng.chance(0.1)) xs = {1, rng.range(1, 4), 160, 160};  // planes of PP-OCR det
        const Tensor x = rng.floats(xs, 1.f, rng.chance(0.2));
        check_case("GlobalAveragePool", cpu::make_global_average_pool_kernel, {}, x, 1, 13, random_setup(rng),
                   {Tolerance::Close, 1e-6, 1e-5}, "case " + std::to_string(cases) + ": X " + join(xs));
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, Transpose) {
    Rng rng(1204);
    for (int cases = 1; cases <= 300; ++cases) {
        const int64_t rank = rng.range(0, 5);
        ops::Shape xs;
        for (int64_t i = 0; i < rank; ++i) xs.push_back(rng.chance(0.25) ? 1 : rng.range(2, 7));
        std::vector<int64_t> perm(static_cast<size_t>(rank));
        for (int64_t i = 0; i < rank; ++i) perm[static_cast<size_t>(i)] = i;
        for (int64_t i = rank - 1; i > 0; --i) std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(rng.range(0, i))]);
        if (rng.chance(0.35)) {
            // NHWC <-> NCHW as the models have them, with images larger than a cache block.
            const bool to_nchw = rng.chance(0.5);
            const int64_t c = rng.pick<int64_t>({1, 2, 3, 4, 5, 16, 33}), h = rng.range(1, 70), w = rng.range(1, 70);
            xs = to_nchw ? ops::Shape{rng.range(1, 2), h, w, c} : ops::Shape{rng.range(1, 2), c, h, w};
            perm = to_nchw ? std::vector<int64_t>{0, 3, 1, 2} : std::vector<int64_t>{0, 2, 3, 1};
        }
        const LiteDataType dtype = rng.pick<LiteDataType>({LITE_FLOAT, LITE_FLOAT, LITE_UINT8, LITE_HALF, LITE_INT64, LITE_BOOL});
        const Tensor x = rng.bytes(dtype, xs);
        std::vector<onnx::Attribute> attrs;
        const bool default_perm = rng.chance(0.1);
        if (default_perm) {
            perm.clear();
            for (int64_t i = rank; i-- > 0;) perm.push_back(i);
        } else {
            attrs.push_back(ints_attr("perm", perm));
        }
        std::ostringstream what;
        what << "case " << cases << ": X " << join(xs) << " perm " << join(perm) << (default_perm ? " (default)" : "") << " dtype " << dtype;
        check_case("Transpose", cpu::make_transpose_kernel, attrs, x, 1, 13, random_setup(rng), {Tolerance::Bytes}, what.str());
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, Softmax) {
    Rng rng(1205);
    for (int cases = 1; cases <= 300; ++cases) {
        ops::Shape xs(static_cast<size_t>(rng.range(1, 4)));
        for (int64_t& d : xs) d = rng.chance(0.2) ? 1 : rng.range(1, 9);
        if (rng.chance(0.3)) xs.back() = rng.range(17, 300);  // rows longer than a few vectors
        if (rng.chance(0.05)) xs = {1, 40, 6625};              // PP-OCR rec's classes
        const int64_t rank = static_cast<int64_t>(xs.size());
        const bool log = rng.chance(0.4);
        const int opset = rng.chance(0.3) ? 11 : 13;
        std::vector<onnx::Attribute> attrs;
        int64_t axis = opset < 13 ? 1 : -1;
        if (rng.chance(0.6) || axis >= rank) {
            axis = rng.range(-rank, rank - 1);
            attrs.push_back(int_attr("axis", axis));
        }
        const float scale = rng.pick<float>({1.f, 10.f, 100.f});
        Tensor x = rng.floats(xs, scale, rng.chance(0.3));
        if (rng.chance(0.1) && x.numel()) {  // a row of -inf
            const int64_t n = xs.back();
            std::fill(x.floats(), x.floats() + n, -std::numeric_limits<float>::infinity());
        }
        std::ostringstream what;
        what << "case " << cases << ": " << (log ? "LogSoftmax" : "Softmax") << " X " << join(xs) << " axis " << axis << " opset "
             << opset << " scale " << scale;
        Tolerance tol{Tolerance::Close, 1e-6, 1e-5, log};
        check_case(log ? "LogSoftmax" : "Softmax", log ? cpu::make_log_softmax_kernel : cpu::make_softmax_kernel, attrs, x, 1,
                   opset, random_setup(rng), tol, what.str());
        if (HasFatalFailure()) return;
    }
}

TEST(KernelOracle, SigmoidTanh) {
    Rng rng(1206);
    for (int cases = 1; cases <= 200; ++cases) {
        ops::Shape xs{rng.range(0, 3), rng.range(1, 70)};
        if (rng.chance(0.05)) xs = {1, 1, 300, 300};
        const bool tanh = rng.chance(0.5);
        const float scale = rng.pick<float>({1.f, 4.f, 20.f, 100.f});
        const Tensor x = rng.floats(xs, scale, rng.chance(0.4));
        std::ostringstream what;
        what << "case " << cases << ": " << (tanh ? "Tanh" : "Sigmoid") << " X " << join(xs) << " scale " << scale;
        check_case(tanh ? "Tanh" : "Sigmoid", tanh ? cpu::make_tanh_kernel : cpu::make_sigmoid_kernel, {}, x, 1, 13,
                   random_setup(rng), {Tolerance::Close, 1e-6, 1e-5}, what.str());
        if (HasFatalFailure()) return;
    }
}

// The tables' exp against std::exp over its whole range and its special values.
TEST(KernelOracle, VectorExp) {
    std::vector<float> x;
    for (float v = -100.f; v <= 100.f; v += 0.0137f) x.push_back(v);
    const float inf = std::numeric_limits<float>::infinity();
    for (float v : {0.f, -0.f, inf, -inf, std::nanf(""), 88.72f, 88.7228317f, 88.7229f, -87.33f, -87.34f, 1e-30f, -1e-30f}) {
        x.push_back(v);
    }
    for (const cpu::SimdKernels* simd : cpu::available_simd()) {
        std::vector<float> y(x.size());
        simd->exp(x.data(), static_cast<int64_t>(x.size()), y.data());
        for (size_t i = 0; i < x.size(); ++i) {
            const float want = std::exp(x[i]);
            if (std::isnan(want)) {
                EXPECT_TRUE(std::isnan(y[i])) << simd->name << " exp(" << x[i] << ")";
            } else if (std::isinf(want) || want == 0.f) {
                EXPECT_EQ(y[i], want) << simd->name << " exp(" << x[i] << ")";
            } else if (want < std::numeric_limits<float>::min()) {  // subnormal: 0 is allowed
                EXPECT_LE(std::fabs(y[i] - want), std::numeric_limits<float>::min()) << simd->name << " exp(" << x[i] << ")";
            } else {
                EXPECT_LE(std::fabs(y[i] - want), 3e-7 * want) << simd->name << " exp(" << x[i] << ")";
            }
        }
    }
}
