// The harness of opencl_kernel_test.cpp: the first OpenCL device, an arena that packs a case's tensors into one
// buffer at odd offsets (and checks nothing outside the outputs is written), the CPU reference kernels run through
// small Infer/Run contexts, and the comparison with the oracle's tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/opencl/opencl_kernels.h"
#include "core/onnx/onnx_model.h"
#include "lite/layout.h"
#include "ops/op.h"

namespace edgelite_test_opencl {

using namespace lite;
namespace ocl = lite::backend::opencl;

// ---- The device ----

struct Device {
    cl_device_id id = nullptr;
    cl_context context = nullptr;
    cl_command_queue queue = nullptr;
    std::string name;
};

// The first OpenCL device, opened once; nullptr (with the reason in `why`) when there is none.
inline const Device* device(std::string* why = nullptr) {
    static std::string reason;
    static Device* opened = [] () -> Device* {
        const ocl::Api* cl = ocl::api();
        if (!cl) {
            reason = "libOpenCL.so.1 is not installed (apt-get install ocl-icd-libopencl1 pocl-opencl-icd)";
            return nullptr;
        }
        cl_uint platforms = 0;
        if (cl->clGetPlatformIDs(0, nullptr, &platforms) != CL_SUCCESS || platforms == 0) {
            reason = "no OpenCL platform (install an ICD, e.g. pocl-opencl-icd; check with clinfo)";
            return nullptr;
        }
        std::vector<cl_platform_id> ids(platforms);
        cl->clGetPlatformIDs(platforms, ids.data(), nullptr);
        for (cl_platform_id platform : ids) {
            cl_device_id id = nullptr;
            cl_uint count = 0;
            if (cl->clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &id, &count) != CL_SUCCESS || count == 0) continue;
            static Device d;
            d.id = id;
            cl_int status = CL_SUCCESS;
            d.context = cl->clCreateContext(nullptr, 1, &id, nullptr, nullptr, &status);
            if (status != CL_SUCCESS) continue;
            d.queue = cl->clCreateCommandQueue(d.context, id, 0, &status);
            if (status != CL_SUCCESS) continue;
            char name[256] = {0};
            cl->clGetDeviceInfo(id, CL_DEVICE_NAME, sizeof(name) - 1, name, nullptr);
            d.name = name;
            return &d;
        }
        reason = "no usable OpenCL device (check with clinfo)";
        return nullptr;
    }();
    if (why) *why = reason;
    return opened;
}

#define REQUIRE_OPENCL_DEVICE()                                              \
    std::string no_device_reason;                                            \
    const Device* dev = device(&no_device_reason);                           \
    if (!dev) GTEST_SKIP() << "OpenCL kernels not tested: " << no_device_reason

inline ocl::ClLaunch launch_on(const Device& d) {
    ocl::ClLaunch launch;
    launch.queue = d.queue;
    launch.program = &ocl::ClProgramCache::process().program(d.context, d.id);
    return launch;
}

// Packs tensors into one buffer at random element offsets (0-5 elements of slack before each), with NaN between
// them and in the outputs; after the run, everything but the outputs must be unchanged.
class Arena {
public:
    explicit Arena(std::mt19937& gen) : m_gen(gen) {}
    ocl::ClTensor input(const std::vector<float>& data) { return place(data, false); }
    ocl::ClTensor output(size_t count) { return place(std::vector<float>(count, std::nanf("")), true); }
    void upload(const Device& d) {
        m_host.resize(m_host.size() + 3, std::nanf(""));
        m_is_output.resize(m_host.size(), false);  // the slack after the last tensor is not an output
        cl_int status = CL_SUCCESS;
        m_buffer = ocl::api()->clCreateBuffer(d.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, m_host.size() * 4,
                                              m_host.data(), &status);
        ocl::cl_check(status, "clCreateBuffer(test arena)");
        for (auto& t : m_tensors) t.buffer = m_buffer;
    }
    ocl::ClTensor tensor(size_t i) const { return m_tensors.at(i); }
    //! Reads the buffer back; "" or what was wrong outside the outputs.
    std::string download(const Device& d) {
        m_result.resize(m_host.size());
        ocl::cl_check(ocl::api()->clEnqueueReadBuffer(d.queue, m_buffer, CL_TRUE, 0, m_host.size() * 4, m_result.data(),
                                                      0, nullptr, nullptr),
                      "clEnqueueReadBuffer(test arena)");
        for (size_t i = 0; i < m_host.size(); ++i) {
            if (m_is_output[i]) continue;
            if (std::memcmp(&m_host[i], &m_result[i], 4) != 0) return "element " + std::to_string(i) + " outside the outputs was written";
        }
        return "";
    }
    std::vector<float> result(const ocl::ClTensor& t, size_t count) const {
        const size_t first = t.offset / 4;
        return std::vector<float>(m_result.begin() + static_cast<long>(first), m_result.begin() + static_cast<long>(first + count));
    }
    ~Arena() {
        if (m_buffer) ocl::api()->clReleaseMemObject(m_buffer);
    }

private:
    ocl::ClTensor place(const std::vector<float>& data, bool output) {
        const size_t slack = std::uniform_int_distribution<size_t>(0, 5)(m_gen);
        m_host.resize(m_host.size() + slack, std::nanf(""));
        m_is_output.resize(m_host.size(), false);
        const size_t offset = m_host.size();
        m_host.insert(m_host.end(), data.begin(), data.end());
        m_is_output.resize(m_host.size(), output);
        m_tensors.push_back({nullptr, offset * 4});
        return m_tensors.back();
    }
    std::mt19937& m_gen;
    std::vector<float> m_host, m_result;
    std::vector<bool> m_is_output;
    std::vector<ocl::ClTensor> m_tensors;
    cl_mem m_buffer = nullptr;
};

// ---- The CPU reference ----

struct HostTensor {
    LiteDataType dtype = LITE_FLOAT;
    ops::Shape shape;
    std::vector<uint8_t> bytes;
    bool constant = false;
    ops::TensorView view() const { return {const_cast<uint8_t*>(bytes.data()), dtype, shape}; }
    std::vector<float> floats() const {
        std::vector<float> v(bytes.size() / 4);
        if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * 4);
        return v;
    }
    static HostTensor of(const ops::Shape& shape, const std::vector<float>& values, bool constant = false) {
        HostTensor t{LITE_FLOAT, shape, std::vector<uint8_t>(values.size() * 4), constant};
        if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());  // empty: no pointers to pass
        return t;
    }
    static HostTensor ints(const std::vector<int64_t>& values) {
        HostTensor t{LITE_INT64, {static_cast<int64_t>(values.size())}, std::vector<uint8_t>(values.size() * 8), true};
        if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());  // empty: no pointers to pass
        return t;
    }
};

class RefInfer final : public ops::InferContext {
public:
    RefInfer(std::vector<const HostTensor*> inputs, int opset) : m_inputs(std::move(inputs)), m_opset(opset) {
        for (const HostTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
    }
    size_t num_inputs() const override { return m_inputs.size(); }
    bool has_input(size_t i) const override { return i < m_inputs.size() && m_inputs[i]; }
    LiteDataType input_dtype(size_t i) const override { return m_inputs.at(i)->dtype; }
    const ops::Shape& input_shape(size_t i) const override { return m_inputs.at(i)->shape; }
    const ops::TensorView* input_value(size_t i) const override {
        return has_input(i) && m_inputs[i]->constant ? &m_views[i] : nullptr;
    }
    size_t num_outputs() const override { return 1; }
    void set_output(size_t, LiteDataType, const ops::Shape& shape) override { output = shape; }
    int opset() const override { return m_opset; }
    [[noreturn]] void fail(const std::string& why) const override { throw std::runtime_error(why); }
    ops::Shape output;

private:
    std::vector<const HostTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
    int m_opset;
};

class RefRun final : public ops::RunContext {
public:
    RefRun(const std::vector<const HostTensor*>& inputs, const ops::Shape& out_shape) : m_inputs(inputs) {
        for (const HostTensor* t : m_inputs) m_views.push_back(t ? t->view() : ops::TensorView{});
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
        if (n > 0) fn(0, n);
    }
    std::vector<float> m_out;

private:
    std::vector<const HostTensor*> m_inputs;
    std::vector<ops::TensorView> m_views;
    ops::TensorView m_out_view;
};

struct Reference {
    ops::Shape shape;
    std::vector<float> values;
};

// Runs the op's reference kernel: (fuse_residual_add), infer, (fuse_activation), run.
inline Reference reference(const std::string& op, const std::vector<onnx::Attribute>& attrs, int opset,
                    const std::vector<const HostTensor*>& inputs, const ops::Activation& act = {}, bool residual = false) {
    ops::Attributes attributes(attrs, "test " + op);
    std::unique_ptr<ops::Kernel> kernel = ops::find_op(op)->create(attributes, opset);
    if (residual && !kernel->fuse_residual_add()) throw std::runtime_error(op + " refused the residual");
    RefInfer infer(inputs, opset);
    kernel->infer(infer);
    if (!act.identity() && !kernel->fuse_activation(act)) throw std::runtime_error(op + " refused the activation");
    RefRun run(inputs, infer.output);
    kernel->run(run);
    return {infer.output, run.m_out};
}

inline onnx::Attribute int_attr(const std::string& name, int64_t v) {
    onnx::Attribute a;
    a.name = name, a.type = onnx::Attribute::Int, a.i = v;
    return a;
}
inline onnx::Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
    onnx::Attribute a;
    a.name = name, a.type = onnx::Attribute::Ints, a.ints = std::move(v);
    return a;
}
inline onnx::Attribute float_attr(const std::string& name, float v) {
    onnx::Attribute a;
    a.name = name, a.type = onnx::Attribute::Float, a.f = v;
    return a;
}
inline onnx::Attribute string_attr(const std::string& name, const std::string& v) {
    onnx::Attribute a;
    a.name = name, a.type = onnx::Attribute::String, a.s = v;
    return a;
}

inline std::string join(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
}

// got against want within float-reordering tolerance for sums of k terms (exact for data movement, k = 0).
inline std::string compare(const std::vector<float>& want, const std::vector<float>& got, int64_t k, float scale = 1.f) {
    if (want.size() != got.size()) return "sizes differ: " + std::to_string(want.size()) + " vs " + std::to_string(got.size());
    const double tol = k == 0 ? 0 : 1e-5 * std::sqrt(double(k) + 1) * scale;
    for (size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i]) && std::isnan(got[i])) continue;
        const double diff = std::fabs(double(want[i]) - double(got[i]));
        if (!(diff <= tol * (1 + std::fabs(double(want[i]))))) {
            std::ostringstream os;
            os << "element " << i << ": reference " << want[i] << ", OpenCL " << got[i];
            return os.str();
        }
    }
    return "";
}

class Rng {
public:
    explicit Rng(uint32_t seed) : gen(seed) {}
    int64_t range(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(gen); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen) < p; }
    template <typename T>
    T pick(std::initializer_list<T> values) { return *(values.begin() + range(0, static_cast<int64_t>(values.size()) - 1)); }
    std::vector<float> values(int64_t n) {
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        std::vector<float> v(static_cast<size_t>(n));
        for (float& x : v) x = dist(gen);
        return v;
    }
    ops::Shape shape(size_t rank, int64_t lo, int64_t hi) {
        ops::Shape s;
        for (size_t i = 0; i < rank; ++i) s.push_back(range(lo, hi));
        return s;
    }
    ops::Activation activation() {
        ops::Activation act;
        act.kind = static_cast<ops::Activation::Kind>(range(0, ops::Activation::Tanh));
        if (act.kind == ops::Activation::Clip) act.min = -0.5f + 0.1f * float(range(0, 4)), act.max = act.min + 0.2f * float(range(1, 6));
        if (act.kind == ops::Activation::LeakyRelu) act.alpha = 0.1f;
        if (act.kind == ops::Activation::HardSigmoid) act.alpha = 0.2f, act.beta = 0.5f;
        if (chance(0.2)) act.scale = 1.5f, act.shift = -0.25f;
        return act;
    }
    std::mt19937 gen;
};

// One case on the device: `place` puts the inputs and the output into the arena and returns the output tensor,
// `launch` enqueues the kernel; the output is compared with `want`.
template <typename Place, typename Launch>
inline std::string run_case(const Device& d, Rng& rng, const Reference& want, int64_t k, Place&& place, Launch&& launch) {
    Arena arena(rng.gen);
    std::vector<ocl::ClTensor> tensors = place(arena);
    const ocl::ClTensor out = arena.output(want.values.size());
    arena.upload(d);
    for (auto& t : tensors) t.buffer = arena.tensor(0).buffer;
    ocl::ClTensor y{arena.tensor(0).buffer, out.offset};
    ocl::ClLaunch l = launch_on(d);
    ocl::ClEvent event = launch(l, tensors, y);
    event.wait();
    std::string why = arena.download(d);
    if (!why.empty()) return why;
    return compare(want.values, arena.result(y, want.values.size()), k);
}

inline int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
    const int64_t span = in + pb + pe - ((k - 1) * d + 1);
    return span < 0 ? 0 : span / s + 1;
}

// Cases run per op, printed at the end and checked: a test that ran nothing fails.
inline void report(const char* op, int cases, int want) {
    std::printf("OpenCL %s: %d cases\n", op, cases);
    EXPECT_GE(cases, want) << op << ": too few cases ran";
}

}  // namespace edgelite_test_opencl
