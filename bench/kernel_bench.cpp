// Kernel micro-benchmark of the CPU backend: GFLOP/s of the packed SGEMM and of the convolutions that dominate
// the suite's models (docs: /work/shared/PERF-NOTES.md), at 1 and 2 threads, next to this machine's measured
// single-thread FMA peak; then GB/s of the memory-bound ops (pools, Transpose, Softmax, activations), reference
// kernel against fast kernel. Usage: edgelite_kernel_bench [--quick] [--only TEXT] (only the convolutions whose
// name contains TEXT). Prints its conditions (CPU, SIMD table,
// threads, compiler) with the results, as benchmark results must.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "backends/cpu/winograd.h"
#include "core/onnx/onnx_model.h"
#include "core/thread_pool.h"
#include "ops/op.h"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

using namespace lite;
namespace cpu = lite::backend::cpu;

namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of fn over enough repetitions to fill ~min_seconds.
double time_median(const std::function<void()>& fn, double min_seconds) {
    fn();  // warm up: packing, scratch, caches
    std::vector<double> times;
    const auto start = Clock::now();
    while (times.size() < 5 || (std::chrono::duration<double>(Clock::now() - start).count() < min_seconds && times.size() < 1000)) {
        const auto t0 = Clock::now();
        fn();
        times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Single-thread FMA peak: independent accumulator chains, enough to cover FMA latency x throughput.
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float fma_loop(int64_t iterations) {
    __m256 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(float(i));
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it) {
        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}
constexpr double kFlopsPerIteration = 12 * 8 * 2;
bool fma_loop_supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
// AVX-512: Zen 5 and Intel server cores have full-width 512-bit FMA units (twice the AVX2 peak); Zen 4 does not.
__attribute__((target("avx512f"))) float fma_loop_512(int64_t iterations) {
    __m512 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(float(i));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it) {
        for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0];
}
double fma_peak_512_gflops();
#define EL_HAVE_FMA_512 1
#elif defined(__aarch64__)
float fma_loop(int64_t iterations) {
    float32x4_t acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = vdupq_n_f32(float(i));
    const float32x4_t a = vdupq_n_f32(0.999999f), b = vdupq_n_f32(1e-7f);
    for (int64_t it = 0; it < iterations; ++it) {
        for (int i = 0; i < 16; ++i) acc[i] = vfmaq_f32(b, acc[i], a);
    }
    float32x4_t s = acc[0];
    for (int i = 1; i < 16; ++i) s = vaddq_f32(s, acc[i]);
    return vgetq_lane_f32(s, 0);
}
constexpr double kFlopsPerIteration = 16 * 4 * 2;
bool fma_loop_supported() { return true; }
#else
float fma_loop(int64_t) { return 0.f; }
constexpr double kFlopsPerIteration = 0;
bool fma_loop_supported() { return false; }
#endif

double fma_peak_gflops() {
    if (!fma_loop_supported()) return 0;
    constexpr int64_t kIterations = 20'000'000;
    volatile float sink = 0;
    const double s = time_median([&] { sink = sink + fma_loop(kIterations); }, 0.3);
    return kFlopsPerIteration * double(kIterations) / s * 1e-9;
}

#if defined(EL_HAVE_FMA_512)
double fma_peak_512_gflops() {
    if (!__builtin_cpu_supports("avx512f")) return 0;
    constexpr int64_t kIterations = 20'000'000;
    volatile float sink = 0;
    const double s = time_median([&] { sink = sink + fma_loop_512(kIterations); }, 0.3);
    return 2.0 * kFlopsPerIteration * double(kIterations) / s * 1e-9;
}
#endif

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) return line.substr(line.find(':') + 2);
    }
    return "unknown CPU";
}

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(gen);
    return v;
}

ops::ParallelFor pool_parallel(ThreadPool& pool) {
    return [&pool](int64_t n, const std::function<void(int64_t, int64_t)>& fn) { pool.parallel_for(n, fn); };
}

// A RunContext over plain vectors and a thread pool, for running one kernel.
class BenchRun final : public ops::RunContext {
public:
    BenchRun(std::vector<ops::TensorView> inputs, ops::TensorView output, ThreadPool& pool)
            : m_inputs(std::move(inputs)), m_output(std::move(output)), m_pool(pool) {}
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i].data; }
    const ops::TensorView& input(size_t i) const override { return m_inputs.at(i); }
    size_t num_outputs() const override { return 1; }
    ops::TensorView& output(size_t) override { return m_output; }
    ops::TensorView& allocate_output(size_t, LiteDataType, const ops::Shape&) override { return m_output; }
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const override { m_pool.parallel_for(n, fn); }

private:
    std::vector<ops::TensorView> m_inputs;
    ops::TensorView m_output;
    ThreadPool& m_pool;
};

// Infer over constant weights (so that they are packed once, as in a loaded model).
class BenchInfer final : public ops::InferContext {
public:
    explicit BenchInfer(std::vector<ops::TensorView> inputs) : m_inputs(std::move(inputs)) {}
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i].data; }
    LiteDataType input_dtype(size_t) const override { return LITE_FLOAT; }
    const ops::Shape& input_shape(size_t i) const override { return m_inputs.at(i).shape; }
    const ops::TensorView* input_value(size_t i) const override { return i > 0 && has_input(i) ? &m_inputs[i] : nullptr; }
    size_t num_outputs() const override { return 1; }
    void set_output(size_t, LiteDataType, const ops::Shape& shape) override { output = shape; }
    int opset() const override { return 13; }
    [[noreturn]] void fail(const std::string& why) const override { throw std::runtime_error(why); }
    ops::Shape output;

private:
    std::vector<ops::TensorView> m_inputs;
};

struct ConvCase {
    const char* name;
    int64_t c, m, h, w, k, stride, group;
    ops::Activation::Kind act;
};

void bench_gemm(int64_t m, int64_t n, int64_t k, double seconds) {
    const cpu::SimdKernels& simd = cpu::best_simd();
    std::vector<float> a = random_floats(size_t(m * k), 1), b = random_floats(size_t(k * n), 2), c(size_t(m * n));
    cpu::PackedA packed;
    cpu::pack_a(simd, a.data(), k, 1, m, k, cpu::k_block_size(k), packed);
    std::printf("gemm %5lld x %5lld x %5lld            ", (long long)m, (long long)n, (long long)k);
    for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        const ops::ParallelFor parallel = pool_parallel(pool);
        const double s = time_median(
                [&] { cpu::sgemm(packed, cpu::StridedB(b.data(), n, 1), n, c.data(), n, cpu::Epilogue{}, &parallel); }, seconds);
        std::printf("  %dt %8.3f ms %6.1f GFLOP/s", threads, s * 1e3, cpu::gemm_flops(m, n, k) / s * 1e-9);
    }
    std::printf("\n");
}

void bench_conv(const ConvCase& cc, double seconds) {
    const int64_t pad = cc.k / 2;
    std::vector<onnx::Attribute> attrs(4);
    attrs[0].name = "kernel_shape", attrs[0].type = onnx::Attribute::Ints, attrs[0].ints = {cc.k, cc.k};
    attrs[1].name = "strides", attrs[1].type = onnx::Attribute::Ints, attrs[1].ints = {cc.stride, cc.stride};
    attrs[2].name = "pads", attrs[2].type = onnx::Attribute::Ints, attrs[2].ints = {pad, pad, pad, pad};
    attrs[3].name = "group", attrs[3].type = onnx::Attribute::Int, attrs[3].i = cc.group;
    ops::Attributes attributes(attrs, "bench Conv");
    auto kernel = cpu::make_conv_kernel(attributes, 13, cpu::best_simd());
    ops::Activation act;
    act.kind = cc.act;
    act.min = 0.f, act.max = 6.f;
    std::vector<float> x = random_floats(size_t(cc.c * cc.h * cc.w), 3);
    std::vector<float> w = random_floats(size_t(cc.m * (cc.c / cc.group) * cc.k * cc.k), 4), bias = random_floats(size_t(cc.m), 5);
    std::vector<ops::TensorView> inputs{{x.data(), LITE_FLOAT, {1, cc.c, cc.h, cc.w}},
                                        {w.data(), LITE_FLOAT, {cc.m, cc.c / cc.group, cc.k, cc.k}},
                                        {bias.data(), LITE_FLOAT, {cc.m}}};
    BenchInfer infer(inputs);
    kernel->infer(infer);
    if (act.kind != ops::Activation::None) kernel->fuse_activation(act);
    std::vector<float> y(size_t(ops::numel(infer.output)));
    const double flops = 2.0 * double(ops::numel(infer.output)) * double(cc.c / cc.group * cc.k * cc.k);
    std::printf("%-40s", cc.name);
    for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        BenchRun run(inputs, {y.data(), LITE_FLOAT, infer.output}, pool);
        const double s = time_median([&] { kernel->run(run); }, seconds);
        std::printf("  %dt %8.3f ms %6.1f GFLOP/s", threads, s * 1e3, flops / s * 1e-9);
    }
    std::printf("\n");
}

// PP-OCR det's head: ConvTranspose 2x2 stride 2, 24 -> 24 maps, 160x160 -> 320x320.
void bench_conv_transpose(double seconds) {
    std::vector<onnx::Attribute> attrs(2);
    attrs[0].name = "kernel_shape", attrs[0].type = onnx::Attribute::Ints, attrs[0].ints = {2, 2};
    attrs[1].name = "strides", attrs[1].type = onnx::Attribute::Ints, attrs[1].ints = {2, 2};
    ops::Attributes attributes(attrs, "bench ConvTranspose");
    auto kernel = cpu::make_conv_transpose_kernel(attributes, 13, cpu::best_simd());
    const int64_t c = 24, m = 24, h = 160;
    std::vector<float> x = random_floats(size_t(c * h * h), 6), w = random_floats(size_t(c * m * 4), 7), bias = random_floats(size_t(m), 8);
    std::vector<ops::TensorView> inputs{{x.data(), LITE_FLOAT, {1, c, h, h}}, {w.data(), LITE_FLOAT, {c, m, 2, 2}},
                                        {bias.data(), LITE_FLOAT, {m}}};
    BenchInfer infer(inputs);
    kernel->infer(infer);
    std::vector<float> y(size_t(ops::numel(infer.output)));
    const double flops = 2.0 * double(c * h * h) * double(m * 4);
    std::printf("%-40s", "convtranspose 2x2 s2 24->24 160x160");
    for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        BenchRun run(inputs, {y.data(), LITE_FLOAT, infer.output}, pool);
        const double s = time_median([&] { kernel->run(run); }, seconds);
        std::printf("  %dt %8.3f ms %6.1f GFLOP/s", threads, s * 1e3, flops / s * 1e-9);
    }
    std::printf("\n");
}

// A memory-bound op (one float input): its reference kernel and the CPU backend's fast kernel, with GB/s counting
// the input read and the output written once.
using MakeKernel = std::unique_ptr<ops::Kernel> (*)(const ops::Attributes&, int, const cpu::SimdKernels&);

void bench_memory_op(const char* name, const char* op, MakeKernel make, const std::vector<onnx::Attribute>& attrs,
                     const ops::Shape& shape, double seconds) {
    ops::Attributes attributes(attrs, std::string("bench ") + op);
    std::vector<float> x = random_floats(size_t(ops::numel(shape)), 9);
    const std::vector<ops::TensorView> inputs{{x.data(), LITE_FLOAT, shape}};
    for (int fast = 0; fast < 2; ++fast) {
        auto kernel = fast ? make(attributes, 13, cpu::best_simd()) : ops::find_op(op)->create(attributes, 13);
        BenchInfer infer(inputs);
        kernel->infer(infer);
        std::vector<float> y(size_t(ops::numel(infer.output)));
        const double bytes = 4.0 * double(x.size() + y.size());
        std::printf("%-34s %-9s", name, fast ? "fast" : "reference");
        for (int threads : {1, 2}) {
            ThreadPool pool(threads);
            BenchRun run(inputs, {y.data(), LITE_FLOAT, infer.output}, pool);
            const double s = time_median([&] { kernel->run(run); }, seconds);
            std::printf("  %dt %8.3f ms %6.1f GB/s", threads, s * 1e3, bytes / s * 1e-9);
        }
        std::printf("\n");
    }
}

onnx::Attribute ints_attribute(const char* name, std::vector<int64_t> values) {
    onnx::Attribute a;
    a.name = name;
    a.type = onnx::Attribute::Ints;
    a.ints = std::move(values);
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    const char* only = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) quick = true;
        if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    }
    const double seconds = quick ? 0.05 : 0.4;
    std::printf("%s%s: %s, %u hardware threads, SIMD table %s, compiler %s; median times, kc %lld nc %lld\n", argv[0],
                quick ? " --quick" : "", cpu_model().c_str(), std::thread::hardware_concurrency(), cpu::best_simd().name,
                __VERSION__, static_cast<long long>(cpu::gemm_tuning().kc), static_cast<long long>(cpu::gemm_tuning().nc));
#if defined(EL_HAVE_FMA_512)
    std::printf("measured single-thread FMA peak: %.1f GFLOP/s (256-bit), %.1f GFLOP/s (512-bit)\n\n", fma_peak_gflops(),
                fma_peak_512_gflops());
#else
    std::printf("measured single-thread FMA peak: %.1f GFLOP/s\n\n", fma_peak_gflops());
#endif

    if (!only) {
        for (int64_t s : {64, 256, 512, 1024}) bench_gemm(s, s, s, seconds);
        bench_gemm(256, 1600, 256, seconds);  // a 1x1 256->256 conv at 40x40 as a plain GEMM
        bench_gemm(1, 1000, 512, seconds);    // a fully connected layer on one row
        std::printf("\n");
    }

    const ConvCase convs[] = {
            {"conv 1x1 256->256 40x40 relu", 256, 256, 40, 40, 1, 1, 1, ops::Activation::Relu},
            {"conv 1x1 24->24 128x128 (BlazeFace)", 24, 24, 128, 128, 1, 1, 1, ops::Activation::None},
            {"conv 1x1 96->96 16x16 (BlazeFace)", 96, 96, 16, 16, 1, 1, 1, ops::Activation::Relu},
            {"conv 1x1 96->24 160x160 (PP-OCR det)", 96, 24, 160, 160, 1, 1, 1, ops::Activation::HardSwish},
            {"depthwise 3x3 32ch 112x112", 32, 32, 112, 112, 3, 1, 32, ops::Activation::None},
            {"depthwise 3x3 24ch 128x128 (BlazeFace)", 24, 24, 128, 128, 3, 1, 24, ops::Activation::None},
            {"depthwise 3x3 s2 96ch 64x64", 96, 96, 64, 64, 3, 2, 96, ops::Activation::None},
            {"depthwise 3x3 s2 28ch 64x64 (BlazeFace)", 28, 28, 64, 64, 3, 2, 28, ops::Activation::None},
            {"depthwise 3x3 64ch 16x16 (BlazeFace)", 64, 64, 16, 16, 3, 1, 64, ops::Activation::None},
            {"depthwise 3x3 24ch 64x64 (BlazeFace)", 24, 24, 64, 64, 3, 1, 24, ops::Activation::None},
            {"depthwise 3x3 96ch 8x8 (BlazeFace)", 96, 96, 8, 8, 3, 1, 96, ops::Activation::None},
            {"depthwise 5x5 48ch 64x64", 48, 48, 64, 64, 5, 1, 48, ops::Activation::None},
            {"dense 3x3 96->24 160x160 (PP-OCR det)", 96, 24, 160, 160, 3, 1, 1, ops::Activation::Relu},
            {"dense 3x3 24->24 80x80", 24, 24, 80, 80, 3, 1, 1, ops::Activation::Relu},
            {"dense 3x3 64->64 40x40", 64, 64, 40, 40, 3, 1, 1, ops::Activation::Relu},
            {"dense 3x3 s2 3->32 640x640 (det stem)", 3, 32, 640, 640, 3, 2, 1, ops::Activation::HardSwish},
            {"dense 5x5 s2 3->24 256x256 (BlazeFace)", 3, 24, 256, 256, 5, 2, 1, ops::Activation::Relu},
    };
    if (only) {
        for (const ConvCase& cc : convs) {
            if (std::strstr(cc.name, only)) bench_conv(cc, seconds);
        }
        return 0;
    }
    for (const ConvCase& cc : convs) bench_conv(cc, seconds);
    // The dense 3x3 stride-1 convs again on the im2col GEMM instead of Winograd, for comparison.
    cpu::winograd_tuning().enabled = false;
    for (ConvCase cc : convs) {
        if (cc.k != 3 || cc.stride != 1 || cc.group != 1) continue;
        const std::string full = cc.name, name = "im2col " + full.substr(0, full.find(" ("));
        cc.name = name.c_str();
        bench_conv(cc, seconds);
    }
    cpu::winograd_tuning().enabled = true;
    bench_conv_transpose(seconds);
    std::printf("\n");

    const std::vector<onnx::Attribute> pool2{ints_attribute("kernel_shape", {2, 2}), ints_attribute("strides", {2, 2})};
    const std::vector<onnx::Attribute> pool3{ints_attribute("kernel_shape", {3, 3}), ints_attribute("strides", {2, 2}),
                                             ints_attribute("pads", {1, 1, 1, 1})};
    bench_memory_op("maxpool 2x2 s2 [1,28,64,64]", "MaxPool", cpu::make_max_pool_kernel, pool2, {1, 28, 64, 64}, seconds);
    bench_memory_op("maxpool 3x3 s2 p1 [1,64,112,112]", "MaxPool", cpu::make_max_pool_kernel, pool3, {1, 64, 112, 112}, seconds);
    bench_memory_op("avgpool 3x3 s2 p1 [1,64,112,112]", "AveragePool", cpu::make_average_pool_kernel, pool3, {1, 64, 112, 112}, seconds);
    bench_memory_op("globalavgpool [1,120,80,80]", "GlobalAveragePool", cpu::make_global_average_pool_kernel, {}, {1, 120, 80, 80}, seconds);
    bench_memory_op("transpose [1,128,128,3] -> NCHW", "Transpose", cpu::make_transpose_kernel,
                    {ints_attribute("perm", {0, 3, 1, 2})}, {1, 128, 128, 3}, seconds);
    bench_memory_op("transpose [1,96,16,16] -> NHWC", "Transpose", cpu::make_transpose_kernel,
                    {ints_attribute("perm", {0, 2, 3, 1})}, {1, 96, 16, 16}, seconds);
    bench_memory_op("softmax [40,6625] (rec)", "Softmax", cpu::make_softmax_kernel, {}, {40, 6625}, seconds);
    bench_memory_op("sigmoid [1,1,640,640] (det)", "Sigmoid", cpu::make_sigmoid_kernel, {}, {1, 1, 640, 640}, seconds);
    bench_memory_op("tanh [1,1,640,640]", "Tanh", cpu::make_tanh_kernel, {}, {1, 1, 640, 640}, seconds);
    return 0;
}
