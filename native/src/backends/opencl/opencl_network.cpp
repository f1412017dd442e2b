// Networks on OpenCL: ClStream (one in-order queue per network; host memory wrapped with CL_MEM_USE_HOST_PTR and
// handed between host and device by map/unmap, as the OpenCL spec requires for host access to such buffers) and
// the node kernels. A node kernel resolves the node's attributes and planned shapes into one launch function's
// parameters once, at load, and uploads the constants it reads as tensors (weights, biases, constant operands).
#include "backends/opencl/opencl_network.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

#include "backends/node_reader.h"
#include "backends/opencl/opencl_kernels.h"
#include "lite/error.h"
#include "ops/conv_common.h"

namespace lite::backend::opencl {
namespace {

const Api& cl() {
    const Api* table = api();
    if (!table) throw Error(ErrorCode::DeviceUnavailable, "OpenCL is not installed (libOpenCL.so.1 was not found)");
    return *table;
}

class ClStream final : public DeviceStream {
public:
    ClStream(cl_context context, cl_device_id device) : m_context(context), m_device(device) {
        cl_int status = CL_SUCCESS;
        m_queue = cl().clCreateCommandQueue(context, device, 0, &status);
        cl_check(status, "clCreateCommandQueue(network)");
    }
    ~ClStream() override {
        cl().clFinish(m_queue);
        for (auto& [buffer, region] : m_regions) {
            if (region.mapped && !region.attached) cl().clEnqueueUnmapMemObject(m_queue, buffer, region.host, 0, nullptr, nullptr);
        }
        cl().clFinish(m_queue);
        for (auto& [buffer, region] : m_regions) {
            if (!region.attached) cl().clReleaseMemObject(buffer);
        }
        cl().clReleaseCommandQueue(m_queue);
    }

    ClLaunch launch() {
        // Built (or loaded from the disk cache) by the first node kernel; cheap to look up afterwards.
        if (!m_program) m_program = &ClProgramCache::process().program(m_context, m_device);
        ClLaunch launch;
        launch.queue = m_queue;
        launch.program = m_program;
        return launch;
    }

    Allocation wrap_host(void* host, size_t bytes) override {
        cl_int status = CL_SUCCESS;
        cl_mem buffer = cl().clCreateBuffer(m_context, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, bytes, host, &status);
        cl_check(status, "clCreateBuffer(CL_MEM_USE_HOST_PTR, " + std::to_string(bytes) + " bytes)");
        m_regions[buffer] = Region{host, bytes, false, false};
        to_host({buffer, host, bytes});  // the host owns it until a device kernel needs it
        return {buffer, host, bytes};
    }
    void unwrap_host(const Allocation& allocation) noexcept override {
        auto found = m_regions.find(static_cast<cl_mem>(allocation.handle));
        if (found == m_regions.end()) return;
        // Unmapping hands the bytes to the device, which no longer uses them: the host copy stays valid.
        if (found->second.mapped) cl().clEnqueueUnmapMemObject(m_queue, found->first, found->second.host, 0, nullptr, nullptr);
        cl().clFinish(m_queue);
        cl().clReleaseMemObject(found->first);
        m_regions.erase(found);
    }
    void attach(const Allocation& allocation) override {
        // A tensor's own buffer (OpenClBackend::allocate): host-visible ones are mapped at rest, the host's.
        m_regions[static_cast<cl_mem>(allocation.handle)] = Region{allocation.host, allocation.bytes, allocation.host != nullptr, true};
    }
    void detach(const Allocation& allocation) noexcept override {
        auto found = m_regions.find(static_cast<cl_mem>(allocation.handle));
        if (found == m_regions.end() || !found->second.attached) return;
        if (found->second.host && !found->second.mapped) {
            cl_int status = CL_SUCCESS;
            cl().clEnqueueMapBuffer(m_queue, found->first, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, found->second.bytes, 0,
                                    nullptr, nullptr, &status);
        }
        cl().clFinish(m_queue);
        m_regions.erase(found);
    }
    void to_device(const Allocation& allocation) override {
        Region& region = m_regions.at(static_cast<cl_mem>(allocation.handle));
        if (!region.mapped) return;
        cl_check(cl().clEnqueueUnmapMemObject(m_queue, static_cast<cl_mem>(allocation.handle), region.host, 0, nullptr, nullptr),
                 "clEnqueueUnmapMemObject");
        region.mapped = false;
    }
    void to_host(const Allocation& allocation) override {
        Region& region = m_regions.at(static_cast<cl_mem>(allocation.handle));
        if (region.mapped) return;
        if (!region.host) {  // an attached buffer the CPU cannot reach: only wait for the kernels using it
            finish();
            return;
        }
        cl_int status = CL_SUCCESS;
        // Blocking: returns when every command queued before it (the kernels writing these bytes) has completed.
        void* mapped = cl().clEnqueueMapBuffer(m_queue, static_cast<cl_mem>(allocation.handle), CL_TRUE,
                                               CL_MAP_READ | CL_MAP_WRITE, 0, region.bytes, 0, nullptr, nullptr, &status);
        cl_check(status, "clEnqueueMapBuffer");
        if (mapped != region.host) {
            // CL_MEM_USE_HOST_PTR buffers map at their host pointer (OpenCL 1.2, 5.4.2); anything else is a driver bug.
            throw Error(ErrorCode::Internal, "OpenCL mapped a CL_MEM_USE_HOST_PTR buffer away from its host memory");
        }
        region.mapped = true;
    }
    void finish() override { cl_check(cl().clFinish(m_queue), "clFinish"); }

private:
    struct Region {
        void* host = nullptr;
        size_t bytes = 0;
        bool mapped = false;
        bool attached = false;  //!< the backend's buffer (attach): the stream neither creates nor releases it
    };
    cl_context m_context;
    cl_device_id m_device;
    cl_command_queue m_queue = nullptr;
    ClProgram* m_program = nullptr;
    std::map<cl_mem, Region> m_regions;
};

using Launcher = std::function<ClEvent(const ClLaunch&, const std::vector<ClTensor>& in, const std::vector<ClTensor>& out)>;

class ClNodeKernel final : public DeviceKernel {
public:
    //! upload[i]: input i is a constant the launch reads as a tensor.
    ClNodeKernel(cl_context context, const NodeDesc& node, const std::vector<bool>& upload, Launcher launcher)
            : m_launcher(std::move(launcher)), m_constants(node.inputs.size(), nullptr) {
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            const ops::TensorView* value = node.inputs[i].constant;
            if (!upload[i] || !value) continue;
            const size_t bytes = std::max<size_t>(value->nbytes(), 4);
            cl_int status = CL_SUCCESS;
            m_constants[i] = cl().clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes,
                                                 value->nbytes() ? value->data : &m_zero, &status);
            cl_check(status, "clCreateBuffer(constant input " + std::to_string(i) + " of " + node.op_type + ")");
            m_uploaded += value->nbytes();
        }
    }
    ~ClNodeKernel() override {
        for (cl_mem buffer : m_constants) {
            if (buffer) cl().clReleaseMemObject(buffer);
        }
    }
    void run(DeviceStream& stream, const std::vector<DeviceTensor>& inputs, const std::vector<DeviceTensor>& outputs) override {
        std::vector<ClTensor> in(std::max<size_t>(inputs.size(), 4)), out(std::max<size_t>(outputs.size(), 1));
        for (size_t i = 0; i < inputs.size(); ++i) {
            in[i] = m_constants[i] ? ClTensor{m_constants[i], 0}
                                   : ClTensor{static_cast<cl_mem>(inputs[i].handle), inputs[i].offset};
        }
        for (size_t i = 0; i < outputs.size(); ++i) out[i] = {static_cast<cl_mem>(outputs[i].handle), outputs[i].offset};
        m_launcher(static_cast<ClStream&>(stream).launch(), in, out);
    }
    size_t uploaded_bytes() const override { return m_uploaded; }

private:
    Launcher m_launcher;
    std::vector<cl_mem> m_constants;
    size_t m_uploaded = 0;
    float m_zero = 0.f;
};

using Shape = ops::Shape;

int64_t product(const Shape& shape, size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
    return p;
}

//! The launch for one node, or an empty function when the kernels do not cover it; marks constant tensor inputs.
class Builder : public NodeReader {
public:
    Builder(cl_context context, const NodeDesc& node) : NodeReader(node), m_context(context) {}

    Launcher build() {
        if (n.outputs.empty() || !n.outputs[0].present || n.outputs[0].dtype != LITE_FLOAT) return {};
        if (ops::numel(n.outputs[0].shape) == 0) return {};
        for (size_t i = 1; i < n.outputs.size(); ++i) {
            if (n.outputs[i].present) return {};  // MaxPool's Indices, Dropout's mask: the CPU's
        }
        const std::string& op = n.op_type;
        if (op == "Conv") return conv();
        if (op == "ConvTranspose") return conv_transpose();
        if (op == "Gemm") return gemm();
        if (op == "MatMul") return matmul();
        if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "PRelu") return binary();
        if (op == "Relu" || op == "Clip" || op == "Sigmoid" || op == "HardSigmoid" || op == "HardSwish" ||
            op == "LeakyRelu" || op == "Tanh") {
            return activation();
        }
        if (op == "MaxPool" || op == "AveragePool") return pool();
        if (op == "GlobalAveragePool") return global_average_pool();
        if (op == "Resize") return resize();
        if (op == "Concat") return concat();
        if (op == "Softmax") return softmax();
        if (op == "Transpose") return transpose();
        if (op == "ReduceMean") return reduce_mean();
        if (op == "Slice") return slice();
        return {};
    }

    cl_context m_context;

private:
    Launcher conv() {
        ConvSpec s;
        if (!read_conv(s)) return {};
        const Window2d& g = s.window;
        Conv2dParams p;
        p.n = g.n, p.c = g.c, p.h = g.h, p.w = g.w, p.m = s.maps, p.oh = g.oh, p.ow = g.ow;
        p.kh = g.kh, p.kw = g.kw, p.stride_h = g.stride_h, p.stride_w = g.stride_w;
        p.dilation_h = g.dilation_h, p.dilation_w = g.dilation_w, p.pad_top = g.pad_top, p.pad_left = g.pad_left;
        p.group = s.group;
        p.activation = n.activation;
        const int64_t residual_maps = s.residual_maps;
        return [p, residual_maps](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return conv2d(l, p, t[0], t[1], t[2], o[0], t[3], residual_maps);
        };
    }

    Launcher conv_transpose() {
        ConvSpec s;
        if (!read_conv_transpose(s)) return {};
        const Window2d& g = s.window;
        Conv2dParams p;
        p.n = g.n, p.c = g.c, p.h = g.h, p.w = g.w, p.m = s.maps, p.oh = g.oh, p.ow = g.ow, p.group = s.group;
        p.kh = g.kh, p.kw = g.kw, p.stride_h = g.stride_h, p.stride_w = g.stride_w;
        p.dilation_h = g.dilation_h, p.dilation_w = g.dilation_w, p.pad_top = g.pad_top, p.pad_left = g.pad_left;
        p.activation = n.activation;
        return [p](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return conv_transpose2d(l, p, t[0], t[1], t[2], o[0]);
        };
    }

    Launcher gemm() {
        if (!has(0) || !has(1) || !data_inputs({0, 1, 2}) || !only_inputs(3)) return {};
        const Shape& sa = in_shape(0);
        const Shape& sb = in_shape(1);
        if (sa.size() != 2 || sb.size() != 2) return {};
        GemmParams p;
        p.trans_a = a.get_int("transA", 0) != 0, p.trans_b = a.get_int("transB", 0) != 0;
        p.alpha = a.get_float("alpha", 1.f), p.beta = a.get_float("beta", 1.f);
        p.m = p.trans_a ? sa[1] : sa[0], p.k = p.trans_a ? sa[0] : sa[1], p.n = p.trans_b ? sb[0] : sb[1];
        if ((p.trans_b ? sb[1] : sb[0]) != p.k) return {};
        if (has(2)) {
            p.has_c = true, p.c_shape = in_shape(2);
            const Shape& c = p.c_shape;
            const bool ok = c.empty() || (c.size() == 1 && (c[0] == p.n || c[0] == 1)) ||
                            (c.size() == 2 && (c[0] == p.m || c[0] == 1) && (c[1] == p.n || c[1] == 1));
            if (!ok) return {};
        }
        p.activation = n.activation;
        return [p](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::gemm(l, p, t[0], t[1], t[2], o[0]);
        };
    }

    Launcher matmul() {
        if (!has(0) || !has(1) || !data_inputs({0, 1}) || !only_inputs(2)) return {};
        const Shape sa = in_shape(0), sb = in_shape(1);
        if (sa.empty() || sb.empty() || sa.size() > 6 || sb.size() > 6) return {};
        const ops::Activation act = n.activation;
        return [sa, sb, act](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::matmul(l, sa, sb, act, t[0], t[1], o[0]);
        };
    }

    Launcher binary() {
        if (!has(0) || !has(1) || !data_inputs({0, 1}) || !only_inputs(2)) return {};
        const Shape sa = in_shape(0), sb = in_shape(1);
        if (sa.size() > 6 || sb.size() > 6 || out_shape().size() > 6) return {};
        const std::string& op = n.op_type;
        const ClBinaryOp kind = op == "Add" ? ClBinaryOp::Add : op == "Sub" ? ClBinaryOp::Sub : op == "Mul" ? ClBinaryOp::Mul
                                : op == "Div" ? ClBinaryOp::Div : ClBinaryOp::PRelu;
        const ops::Activation act = n.activation;
        return [kind, sa, sb, act](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::binary(l, kind, sa, sb, t[0], t[1], o[0], act);
        };
    }

    Launcher activation() {
        if (!has(0) || !data_inputs({0})) return {};
        // The op describes itself (Clip's bounds from constant inputs, HardSigmoid's alpha and beta): the same
        // description the fusion pass uses.
        std::unique_ptr<ops::Kernel> reference = ops::find_op(n.op_type)->create(a, n.opset);
        std::vector<const ops::TensorView*> constants;
        for (const auto& input : n.inputs) constants.push_back(input.constant);
        ops::Activation act;
        if (!reference->as_activation(constants, act)) return {};
        if (!act.then(n.activation)) return {};
        const Shape shape = in_shape(0);
        return [shape, act](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return bias_activation(l, shape, t[0], ClTensor{}, o[0], act);
        };
    }

    Launcher pool() {
        Window2d g;
        if (!read_pool(g)) return {};
        Pool2dParams p;
        p.n = g.n, p.c = g.c, p.h = g.h, p.w = g.w, p.oh = g.oh, p.ow = g.ow;
        p.kh = g.kh, p.kw = g.kw, p.stride_h = g.stride_h, p.stride_w = g.stride_w;
        p.dilation_h = g.dilation_h, p.dilation_w = g.dilation_w;
        p.pad_top = g.pad_top, p.pad_left = g.pad_left, p.pad_bottom = g.pad_bottom, p.pad_right = g.pad_right;
        p.count_include_pad = a.get_int("count_include_pad", 0) != 0;
        if (n.op_type == "MaxPool") {
            return [p](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) { return max_pool2d(l, p, t[0], o[0]); };
        }
        return [p](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) { return average_pool2d(l, p, t[0], o[0]); };
    }

    Launcher global_average_pool() {
        if (!has(0) || !data_inputs({0}) || in_shape(0).size() < 2) return {};
        const int64_t planes = in_shape(0)[0] * in_shape(0)[1], size = product(in_shape(0), 2, in_shape(0).size());
        return [planes, size](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::global_average_pool(l, planes, size, t[0], o[0]);
        };
    }

    Launcher resize() {
        ResizeSpec r;
        if (!read_resize(r) || r.exclude_outside) return {};
        ResizeParams p;
        p.mode = r.mode, p.coord = r.coord, p.nearest = r.nearest;
        p.planes = r.planes, p.h = r.h, p.w = r.w, p.oh = r.oh, p.ow = r.ow, p.scale_h = r.scale_h, p.scale_w = r.scale_w;
        for (int64_t size : r.outer) {
            if (!ClResizePlan::keeps_axis(p, size)) return {};
        }
        auto plan = std::make_shared<ClResizePlan>(m_context, p);
        return [plan](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::resize(l, *plan, t[0], o[0]);
        };
    }

    Launcher concat() {
        std::vector<Shape> shapes;
        for (size_t i = 0; i < n.inputs.size(); ++i) {
            if (!has(i)) return {};
            if (n.inputs[i].dtype != LITE_FLOAT) return {};
            upload[i] = n.inputs[i].constant != nullptr;
            shapes.push_back(in_shape(i));
        }
        if (shapes.empty()) return {};
        int64_t axis = a.get_int("axis", 0);
        const auto rank = static_cast<int64_t>(shapes[0].size());
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return {};
        return [shapes, axis](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::concat(l, shapes, axis, std::vector<ClTensor>(t.begin(), t.begin() + static_cast<long>(shapes.size())), o[0]);
        };
    }

    Launcher softmax() {
        if (!has(0) || !data_inputs({0})) return {};
        Shape shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        if (rank == 0) return {};
        int64_t axis = a.get_int("axis", n.opset < 13 ? 1 : -1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return {};
        if (n.opset < 13) {  // coerced to 2-D at axis: one softmax over the flattened trailing dims
            shape = {product(shape, 0, static_cast<size_t>(axis)), product(shape, static_cast<size_t>(axis), shape.size())};
            axis = 1;
        }
        return [shape, axis](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::softmax(l, shape, axis, t[0], o[0]);
        };
    }

    Launcher transpose() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape shape = in_shape(0);
        std::vector<int64_t> perm = a.get_ints("perm");
        if (perm.empty()) {
            for (size_t i = shape.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
        }
        if (perm.size() != shape.size() || shape.size() > 6) return {};
        return [shape, perm](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::transpose(l, shape, perm, t[0], o[0]);
        };
    }

    Launcher slice() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        std::vector<int64_t> starts, axes, steps;
        if (n.opset < 10) {
            starts = a.get_ints("starts"), axes = a.get_ints("axes");
        } else {
            for (size_t i = 1; i <= 4; ++i) {
                if (has(i) && !n.inputs[i].constant) return {};
            }
            if (!has(1)) return {};
            starts = ops::read_ints(*n.inputs[1].constant);
            if (has(3)) axes = ops::read_ints(*n.inputs[3].constant);
            if (has(4)) steps = ops::read_ints(*n.inputs[4].constant);
        }
        if (axes.empty()) {
            for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
        }
        if (steps.empty()) steps.assign(starts.size(), 1);
        if (axes.size() != starts.size() || steps.size() != starts.size() || shape.size() > 6) return {};
        // Starts clamped as ops' Slice clamps them; the output shape (the ends) is the planned one.
        std::vector<int64_t> start(shape.size(), 0), step(shape.size(), 1);
        for (size_t i = 0; i < starts.size(); ++i) {
            if (axes[i] < -rank || axes[i] >= rank || steps[i] == 0) return {};
            const auto axis = static_cast<size_t>(axes[i] < 0 ? axes[i] + rank : axes[i]);
            const int64_t dim = shape[axis];
            int64_t first = starts[i];
            if (first < 0) first = first < -dim ? -1 : first + dim;
            first = steps[i] > 0 ? std::min(std::max<int64_t>(first, 0), dim) : std::max<int64_t>(std::min(first, dim - 1), 0);
            start[axis] = first, step[axis] = steps[i];
        }
        const Shape out = out_shape();
        if (out.size() != shape.size()) return {};
        return [shape, start, step, out](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::slice(l, shape, start, step, out, t[0], o[0]);
        };
    }

    Launcher reduce_mean() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        std::vector<int64_t> axes;
        bool noop_empty = false;
        if (n.opset >= 18) {
            noop_empty = a.get_int("noop_with_empty_axes", 0) != 0;
            if (has(1)) {
                if (!n.inputs[1].constant) return {};
                axes = ops::read_ints(*n.inputs[1].constant);
            }
        } else {
            axes = a.get_ints("axes");
        }
        if (axes.empty()) {
            if (noop_empty) return {};
            axes.resize(shape.size());
            std::iota(axes.begin(), axes.end(), 0);
        }
        for (int64_t& axis : axes) {
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank) return {};
        }
        std::sort(axes.begin(), axes.end());
        axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
        return [shape, axes](const ClLaunch& l, const std::vector<ClTensor>& t, const std::vector<ClTensor>& o) {
            return opencl::reduce_mean(l, shape, axes, t[0], o[0]);
        };
    }
};

}  // namespace

std::unique_ptr<DeviceStream> make_stream(cl_context context, cl_device_id device) {
    return std::make_unique<ClStream>(context, device);
}

std::unique_ptr<DeviceKernel> make_node_kernel(cl_context context, cl_device_id device, const NodeDesc& node) {
    if (!node.attributes) return nullptr;
    Builder builder(context, node);
    Launcher launcher = builder.build();
    if (!launcher) return nullptr;
    // The program is built (or read from the disk cache) once per process and device, at the first node.
    ClProgramCache::process().program(context, device);
    return std::make_unique<ClNodeKernel>(context, node, builder.upload, std::move(launcher));
}

}  // namespace lite::backend::opencl
