// Networks on CUDA, the host side: the node kernels (each node's attributes and planned shapes resolved into one or
// more kernel Args at load, constants uploaded once) and the host emulator of a CUDA device (memory is host memory,
// launches run through kernels::emulate). No CUDA headers here: the device's launcher is in cuda_backend.cpp.
#include "backends/cuda/cuda_network.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>

#include "backends/cuda/kernels/emulate.h"
#include "backends/node_reader.h"
#include "backends/cuda/kernels/ops_bridge.h"
#include "lite/error.h"
#include "ops/conv_common.h"

namespace lite::backend::cuda {
namespace {

using Shape = ops::Shape;
//! One node's launches: in/out are the addresses of the node's inputs and outputs (nullptr: absent).
using Launch = std::function<void(Launcher&, const std::vector<const void*>& in, const std::vector<void*>& out)>;

const float* f(const void* p) { return static_cast<const float*>(p); }
float* f(void* p) { return static_cast<float*>(p); }

int64_t product(const Shape& shape, size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
    return p;
}

class CudaNodeKernel final : public DeviceKernel {
public:
    //! upload[i]: input i is a constant the launch reads as a tensor.
    CudaNodeKernel(ConstantMemory& memory, const NodeDesc& node, const std::vector<bool>& upload, Launch launch)
            : m_memory(memory), m_launch(std::move(launch)), m_constants(node.inputs.size(), nullptr) {
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            const ops::TensorView* value = node.inputs[i].constant;
            if (!upload[i] || !value || value->nbytes() == 0) continue;
            m_constants[i] = m_memory.upload(value->data, value->nbytes());
            m_uploaded += value->nbytes();
        }
    }
    ~CudaNodeKernel() override {
        for (void* copy : m_constants) {
            if (copy) m_memory.release(copy);
        }
    }
    void run(DeviceStream& stream, const std::vector<DeviceTensor>& inputs, const std::vector<DeviceTensor>& outputs) override {
        std::vector<const void*> in(std::max<size_t>(inputs.size(), 4), nullptr);
        std::vector<void*> out(std::max<size_t>(outputs.size(), 1), nullptr);
        auto address = [](const DeviceTensor& t) -> void* {
            return t.handle ? static_cast<char*>(t.handle) + t.offset : nullptr;
        };
        for (size_t i = 0; i < inputs.size(); ++i) in[i] = m_constants[i] ? m_constants[i] : address(inputs[i]);
        for (size_t i = 0; i < outputs.size(); ++i) out[i] = address(outputs[i]);
        m_launch(static_cast<NetworkStream&>(stream).launcher(), in, out);
    }
    size_t uploaded_bytes() const override { return m_uploaded; }

private:
    ConstantMemory& m_memory;
    Launch m_launch;
    std::vector<void*> m_constants;
    size_t m_uploaded = 0;
};

//! The launch for one node, or an empty function when the kernels do not cover it; marks constant tensor inputs.
class Builder : public NodeReader {
public:
    explicit Builder(const NodeDesc& node) : NodeReader(node) {}

    Launch build() {
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
        if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return binary();
        if (op == "Relu" || op == "Clip" || op == "Sigmoid" || op == "HardSigmoid" || op == "HardSwish" ||
            op == "LeakyRelu" || op == "Tanh") {
            return activation();
        }
        if (op == "MaxPool" || op == "AveragePool") return pool();
        if (op == "GlobalAveragePool") return global_average_pool();
        if (op == "Resize") return resize();
        if (op == "Softmax") return softmax();
        if (op == "ReduceMean") return reduce_mean();
        if (op == "Transpose") return transpose();
        if (op == "Slice") return slice();
        if (op == "Pad") return pad();
        if (op == "Concat") return concat();
        return {};
    }

private:
    //! The constant input i read as integers (absent: empty; present but not constant: false).
    bool constant_ints(size_t i, std::vector<int64_t>& values) const {
        if (!has(i)) return true;
        if (!n.inputs[i].constant) return false;
        values = ops::read_ints(*n.inputs[i].constant);
        return true;
    }
    static bool fits_int(int64_t v) { return v >= 0 && v <= 0x7fffffff; }

    Launch conv() {
        ConvSpec s;
        if (!read_conv(s)) return {};
        const Window2d& g = s.window;
        kernels::Conv2dArgs p;
        p.n = int(g.n), p.c = int(g.c), p.h = int(g.h), p.w_in = int(g.w), p.m = int(s.maps);
        p.oh = int(g.oh), p.ow = int(g.ow), p.kh = int(g.kh), p.kw = int(g.kw);
        p.stride_h = int(g.stride_h), p.stride_w = int(g.stride_w), p.dilation_h = int(g.dilation_h);
        p.dilation_w = int(g.dilation_w), p.pad_h = int(g.pad_top), p.pad_w = int(g.pad_left);
        p.group = int(s.group);
        p.act = kernels::to_kernel_act(n.activation);
        p.residual_maps = int(s.residual_maps);
        // One input channel per group (depthwise, channel multipliers): the direct kernel, as launch_conv2d picks.
        const bool depthwise = p.c == p.group;
        return [p, depthwise](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::Conv2dArgs args = p;
            args.x = f(t[0]), args.w = f(t[1]), args.bias = f(t[2]), args.residual = f(t[3]), args.y = f(o[0]);
            if (depthwise) {
                l.launch(kernels::DepthwiseConv2dArgs{args});
            } else {
                l.launch(args);
            }
        };
    }

    Launch conv_transpose() {
        ConvSpec s;
        if (!read_conv_transpose(s)) return {};
        const Window2d& g = s.window;
        kernels::ConvTranspose2dArgs p;
        p.n = int(g.n), p.c = int(g.c), p.h = int(g.h), p.w_in = int(g.w), p.m = int(s.maps), p.group = int(s.group);
        p.oh = int(g.oh), p.ow = int(g.ow), p.kh = int(g.kh), p.kw = int(g.kw);
        p.stride_h = int(g.stride_h), p.stride_w = int(g.stride_w), p.dilation_h = int(g.dilation_h);
        p.dilation_w = int(g.dilation_w), p.pad_h = int(g.pad_top), p.pad_w = int(g.pad_left);
        p.act = kernels::to_kernel_act(n.activation);
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::ConvTranspose2dArgs args = p;
            args.x = f(t[0]), args.w = f(t[1]), args.bias = f(t[2]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch gemm() {
        if (!has(0) || !has(1) || !data_inputs({0, 1, 2}) || !only_inputs(3)) return {};
        const Shape& sa = in_shape(0);
        const Shape& sb = in_shape(1);
        if (sa.size() != 2 || sb.size() != 2) return {};
        const bool trans_a = a.get_int("transA", 0) != 0, trans_b = a.get_int("transB", 0) != 0;
        kernels::GemmArgs p;
        p.alpha = a.get_float("alpha", 1.f), p.beta = a.get_float("beta", 1.f);
        const int64_t m = trans_a ? sa[1] : sa[0], k = trans_a ? sa[0] : sa[1], nn = trans_b ? sb[0] : sb[1];
        if ((trans_b ? sb[1] : sb[0]) != k || !fits_int(m) || !fits_int(k) || !fits_int(nn)) return {};
        p.m = int(m), p.k = int(k), p.n = int(nn);
        // A' (M, K) and B' (K, N) as strides of the stored matrices.
        p.a_row = trans_a ? 1 : k, p.a_col = trans_a ? m : 1;
        p.b_row = trans_b ? 1 : nn, p.b_col = trans_b ? k : 1;
        bool with_c = false;
        if (has(2)) {
            const Shape& c = in_shape(2);
            if (c.empty()) {
                p.c_row = p.c_col = 0;
            } else if (c.size() == 1 && (c[0] == nn || c[0] == 1)) {
                p.c_row = 0, p.c_col = c[0] == 1 ? 0 : 1;
            } else if (c.size() == 2 && (c[0] == m || c[0] == 1) && (c[1] == nn || c[1] == 1)) {
                p.c_row = c[0] == 1 ? 0 : c[1], p.c_col = c[1] == 1 ? 0 : 1;
            } else {
                return {};
            }
            with_c = true;
        }
        if (out_shape() != Shape{m, nn}) return {};
        p.act = kernels::to_kernel_act(n.activation);
        return [p, with_c](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::GemmArgs args = p;
            args.a = f(t[0]), args.b = f(t[1]), args.c = with_c ? f(t[2]) : nullptr, args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch matmul() {
        if (!has(0) || !has(1) || !data_inputs({0, 1}) || !only_inputs(2)) return {};
        Shape sa = in_shape(0), sb = in_shape(1);
        if (sa.empty() || sb.empty()) return {};
        if (sa.size() == 1) sa.insert(sa.begin(), 1);  // (K) is (1, K), the 1 dropped from the result
        if (sb.size() == 1) sb.push_back(1);             // (K) is (K, 1)
        const int64_t m = sa[sa.size() - 2], k = sa.back(), nn = sb.back();
        if (sb[sb.size() - 2] != k || !fits_int(m) || !fits_int(k) || !fits_int(nn)) return {};
        kernels::GemmArgs p;
        p.m = int(m), p.k = int(k), p.n = int(nn);
        p.a_row = k, p.a_col = 1, p.b_row = nn, p.b_col = 1;
        // Batch dims, broadcast (numpy): each input's element stride per output batch dim, 0 where it broadcasts;
        // dims of 1 dropped, so up to 4 batch dims of size > 1 fit.
        const size_t rank = std::max(sa.size(), sb.size()) - 2;
        int64_t stride_a = m * k, stride_b = k * nn, batches = 1;
        std::vector<int64_t> dims, a_strides, b_strides;
        for (size_t i = rank; i-- > 0;) {
            const size_t ia = i + sa.size() - 2, ib = i + sb.size() - 2;  // >= rank when the input has this dim
            const int64_t da = ia >= rank ? sa[ia - rank] : 1, db = ib >= rank ? sb[ib - rank] : 1;
            if (da != db && da != 1 && db != 1) return {};
            const int64_t d = std::max(da, db);
            if (d != 1) {
                dims.insert(dims.begin(), d);
                a_strides.insert(a_strides.begin(), da == 1 ? 0 : stride_a);
                b_strides.insert(b_strides.begin(), db == 1 ? 0 : stride_b);
            }
            stride_a *= da, stride_b *= db, batches *= d;
        }
        if (dims.size() > 4) return {};
        p.batch_rank = int(dims.size());
        for (size_t d = 0; d < dims.size(); ++d) p.batch[d] = dims[d], p.a_batch[d] = a_strides[d], p.b_batch[d] = b_strides[d];
        if (ops::numel(out_shape()) != batches * m * nn) return {};
        p.act = kernels::to_kernel_act(n.activation);
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::GemmArgs args = p;
            args.a = f(t[0]), args.b = f(t[1]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch binary() {
        if (!has(0) || !has(1) || !data_inputs({0, 1}) || !only_inputs(2)) return {};
        kernels::BinaryArgs p;
        if (!kernels::make_binary_args(in_shape(0), in_shape(1), p) || p.n != ops::numel(out_shape())) return {};
        const std::string& op = n.op_type;
        p.op = op == "Add" ? kernels::BinaryOp::Add : op == "Sub" ? kernels::BinaryOp::Sub
             : op == "Mul" ? kernels::BinaryOp::Mul : kernels::BinaryOp::Div;
        p.act = kernels::to_kernel_act(n.activation);
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::BinaryArgs args = p;
            args.a = f(t[0]), args.b = f(t[1]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch activation() {
        if (!has(0) || !data_inputs({0})) return {};
        // The op describes itself (Clip's bounds from constant inputs, HardSigmoid's alpha and beta): the same
        // description the fusion pass uses.
        std::unique_ptr<ops::Kernel> reference = ops::find_op(n.op_type)->create(a, n.opset);
        std::vector<const ops::TensorView*> constants;
        for (const auto& input : n.inputs) constants.push_back(input.constant);
        ops::Activation act;
        if (!reference->as_activation(constants, act) || !act.then(n.activation)) return {};
        kernels::UnaryArgs p;
        p.n = ops::numel(in_shape(0));
        p.act = kernels::to_kernel_act(act);
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::UnaryArgs args = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch pool() {
        Window2d g;
        if (!read_pool(g)) return {};
        kernels::Pool2dArgs p;
        p.planes = g.n * g.c, p.h = int(g.h), p.w = int(g.w), p.oh = int(g.oh), p.ow = int(g.ow);
        p.kh = int(g.kh), p.kw = int(g.kw), p.stride_h = int(g.stride_h), p.stride_w = int(g.stride_w);
        p.dilation_h = int(g.dilation_h), p.dilation_w = int(g.dilation_w);
        p.pad_top = int(g.pad_top), p.pad_left = int(g.pad_left), p.pad_bottom = int(g.pad_bottom), p.pad_right = int(g.pad_right);
        p.count_include_pad = a.get_int("count_include_pad", 0) != 0;
        if (n.op_type == "MaxPool") {
            return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
                kernels::MaxPool2dArgs args;
                static_cast<kernels::Pool2dArgs&>(args) = p;
                args.x = f(t[0]), args.y = f(o[0]);
                l.launch(args);
            };
        }
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::AveragePool2dArgs args;
            static_cast<kernels::Pool2dArgs&>(args) = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch global_average_pool() {
        if (!has(0) || !data_inputs({0}) || in_shape(0).size() < 2) return {};
        kernels::GlobalAveragePoolArgs p;
        p.planes = in_shape(0)[0] * in_shape(0)[1], p.size = product(in_shape(0), 2, in_shape(0).size());
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::GlobalAveragePoolArgs args = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch resize() {
        ResizeSpec r;
        if (!read_resize(r)) return {};
        kernels::Resize2dArgs p;
        p.mode = r.mode, p.coord = r.coord, p.nearest = r.nearest, p.exclude_outside = r.exclude_outside;
        p.planes = r.planes, p.h = int(r.h), p.w = int(r.w), p.oh = int(r.oh), p.ow = int(r.ow);
        p.scale_h = r.scale_h, p.scale_w = r.scale_w;
        // The kernel resizes the last two axes: the others must be left as they are, element for element.
        for (int64_t size : r.outer) {
            if (!kernels::resize_keeps_axis(p, int(size))) return {};
        }
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::Resize2dArgs args = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch softmax() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape& shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        if (rank == 0) return {};
        int64_t axis = a.get_int("axis", n.opset < 13 ? 1 : -1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return {};
        // The kernel normalises rows of contiguous elements: the last axis, or before opset 13 the flattened
        // trailing dims from axis on (the op's 2-D coercion).
        if (n.opset >= 13 && axis != rank - 1) return {};
        kernels::SoftmaxArgs p;
        p.rows = product(shape, 0, size_t(axis)), p.cols = product(shape, size_t(axis), shape.size());
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::SoftmaxArgs args = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    Launch reduce_mean() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape& shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        std::vector<int64_t> axes;
        bool noop_empty = false;
        if (n.opset >= 18) {
            noop_empty = a.get_int("noop_with_empty_axes", 0) != 0;
            if (!constant_ints(1, axes)) return {};
        } else {
            axes = a.get_ints("axes");
        }
        if (axes.empty()) {
            if (noop_empty) return {};
            axes.resize(shape.size());
            std::iota(axes.begin(), axes.end(), 0);
        }
        std::vector<bool> reduced(shape.size(), false);
        for (int64_t axis : axes) {
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank) return {};
            reduced[size_t(axis)] = true;
        }
        kernels::ReduceMeanArgs p;
        if (!kernels::make_reduce_mean_args(shape, reduced, p) || p.outputs != ops::numel(out_shape())) return {};
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::ReduceMeanArgs args = p;
            args.x = f(t[0]), args.y = f(o[0]);
            l.launch(args);
        };
    }

    static Launch gather(const kernels::GatherArgs& p) {
        return [p](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            kernels::GatherArgs args = p;
            args.x = t[0], args.y = o[0];
            l.launch(args);
        };
    }
    //! A gather whose output is the planned one.
    bool gather_fits(const kernels::GatherArgs& p) const {
        const Shape& out = out_shape();
        if (out.size() != size_t(p.rank)) return false;
        for (int d = 0; d < p.rank; ++d) {
            if (p.out_dims[d] != out[size_t(d)]) return false;
        }
        return true;
    }

    Launch transpose() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape& shape = in_shape(0);
        std::vector<int64_t> perm = a.get_ints("perm");
        if (perm.empty()) {
            for (size_t i = shape.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
        }
        for (int64_t d : perm) {
            if (d < 0 || d >= int64_t(shape.size())) return {};
        }
        kernels::GatherArgs p;
        if (!kernels::make_transpose_args(shape, perm, p) || !gather_fits(p)) return {};
        return gather(p);
    }

    Launch slice() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape& shape = in_shape(0);
        const auto rank = static_cast<int64_t>(shape.size());
        std::vector<int64_t> starts, ends, axes, steps;
        if (n.opset < 10) {
            starts = a.get_ints("starts"), ends = a.get_ints("ends"), axes = a.get_ints("axes");
        } else {
            if (!has(1) || !has(2)) return {};
            if (!constant_ints(1, starts) || !constant_ints(2, ends) || !constant_ints(3, axes) || !constant_ints(4, steps)) return {};
        }
        if (ends.size() != starts.size() || (!axes.empty() && axes.size() != starts.size()) ||
            (!steps.empty() && steps.size() != starts.size())) {
            return {};
        }
        for (size_t i = 0; i < axes.size(); ++i) {
            if (axes[i] < -rank || axes[i] >= rank) return {};
        }
        for (int64_t step : steps) {
            if (step == 0) return {};
        }
        if (axes.empty() && int64_t(starts.size()) > rank) return {};
        kernels::GatherArgs p;
        if (!kernels::make_slice_args(shape, starts, ends, axes, steps, p) || !gather_fits(p)) return {};
        return gather(p);
    }

    Launch pad() {
        if (!has(0) || !data_inputs({0})) return {};
        const Shape& shape = in_shape(0);
        const std::string mode = a.get_string("mode", "constant");
        kernels::PadMode pad_mode;
        if (mode == "constant") pad_mode = kernels::PadMode::Constant;
        else if (mode == "reflect") pad_mode = kernels::PadMode::Reflect;
        else if (mode == "edge") pad_mode = kernels::PadMode::Edge;
        else if (mode == "wrap") pad_mode = kernels::PadMode::Wrap;
        else return {};
        std::vector<int64_t> pads;
        float fill = 0.f;
        if (n.opset < 11) {
            pads = a.get_ints("pads");
            fill = a.get_float("value", 0.f);
        } else {
            if (!has(1) || !constant_ints(1, pads) || has(3)) return {};
            if (has(2)) {
                if (!n.inputs[2].constant || n.inputs[2].dtype != LITE_FLOAT) return {};
                const std::vector<float> value = ops::read_floats(*n.inputs[2].constant);
                if (!value.empty()) fill = value[0];
            }
        }
        if (pads.size() != 2 * shape.size()) return {};
        if (pad_mode != kernels::PadMode::Constant) {
            for (int64_t d : shape) {
                if (d == 0) return {};
            }
        }
        const std::vector<int64_t> begin(pads.begin(), pads.begin() + long(shape.size())), end(pads.begin() + long(shape.size()), pads.end());
        kernels::GatherArgs p;
        if (!kernels::make_pad_args(shape, begin, end, pad_mode, &fill, 4, p) || !gather_fits(p)) return {};
        return gather(p);
    }

    Launch concat() {
        std::vector<Shape> shapes;
        for (size_t i = 0; i < n.inputs.size(); ++i) {
            if (!has(i) || n.inputs[i].dtype != LITE_FLOAT) return {};
            upload[i] = n.inputs[i].constant != nullptr;
            shapes.push_back(in_shape(i));
        }
        if (shapes.empty()) return {};
        int64_t axis = a.get_int("axis", 0);
        const auto rank = static_cast<int64_t>(shapes[0].size());
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) return {};
        const std::vector<kernels::CopyRowsArgs> copies = kernels::make_concat_args(shapes, axis, 4);
        return [copies](Launcher& l, const std::vector<const void*>& t, const std::vector<void*>& o) {
            for (size_t i = 0; i < copies.size(); ++i) {
                if (copies[i].rows * copies[i].src_row == 0) continue;
                kernels::CopyRowsArgs args = copies[i];
                args.x = t[i], args.y = o[0];
                l.launch(args);
            }
        };
    }
};

// ---- The host emulator ----

//! Launches run at once, on the calling thread, through the same kernel code the device runs.
class EmulatedLauncher final : public Launcher {
public:
#define EDGELITE_CUDA_EMULATE_SLOT(NAME) \
    void launch(const kernels::NAME##Args& args) override { kernels::emulate<kernels::NAME##Kernel>(args); }
    EDGELITE_CUDA_KERNELS(EDGELITE_CUDA_EMULATE_SLOT)
#undef EDGELITE_CUDA_EMULATE_SLOT
};

//! Host memory is the device's memory. Ownership is still tracked, so that the executor's hand-overs are checked:
//! handing over memory that was never wrapped or attached throws, as it would on the device.
class EmulatedStream final : public NetworkStream {
public:
    Launcher& launcher() override { return m_launcher; }
    Allocation wrap_host(void* host, size_t bytes) override {
        ++m_regions[host];
        return {host, host, bytes};
    }
    void unwrap_host(const Allocation& allocation) noexcept override { release(allocation.handle); }
    void attach(const Allocation& allocation) override { ++m_regions[allocation.handle]; }
    void detach(const Allocation& allocation) noexcept override { release(allocation.handle); }
    void to_device(const Allocation& allocation) override { known(allocation); }
    void to_host(const Allocation& allocation) override { known(allocation); }
    void finish() override {}

private:
    void known(const Allocation& allocation) const {
        if (!m_regions.count(allocation.handle)) {
            throw Error(ErrorCode::Internal, "emulated CUDA stream: memory handed over that was never wrapped or attached");
        }
    }
    void release(void* handle) noexcept {
        auto found = m_regions.find(handle);
        if (found != m_regions.end() && --found->second == 0) m_regions.erase(found);
    }
    EmulatedLauncher m_launcher;
    std::map<void*, int> m_regions;  // handle -> wraps and attaches not yet released
};

class HostConstants final : public ConstantMemory {
public:
    void* upload(const void* host, size_t bytes) override {
        void* copy = std::malloc(bytes);
        if (!copy) throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(bytes) + " bytes for a constant");
        std::memcpy(copy, host, bytes);
        return copy;
    }
    void release(void* copy) noexcept override { std::free(copy); }
};

constexpr size_t kPage = 4096;

class EmulatedBackend final : public Backend {
public:
    LiteDeviceType type() const override { return LITE_CUDA; }
    const char* name() const override { return "cuda"; }
    int device_count() override { return 1; }
    std::string device_description(int) override { return "CUDA kernels emulated on the host (test hook)"; }
    Allocation allocate(int, size_t bytes) override {
        const size_t rounded = std::max<size_t>((bytes + kPage - 1) / kPage * kPage, kPage);
        void* memory = std::aligned_alloc(kPage, rounded);
        if (!memory) throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(bytes) + " bytes");
        return {memory, memory, bytes};
    }
    //! Pinned host memory is page-aligned host memory here, as cudaHostAlloc's is: host == handle.
    Allocation allocate_pinned_host(size_t bytes) override { return allocate(0, bytes); }
    void deallocate(int, const Allocation& allocation, bool) noexcept override { std::free(allocation.handle); }
    void copy_host_to_device(int, const Allocation& dst, size_t dst_offset, const void* src, size_t bytes) override {
        std::memmove(static_cast<char*>(dst.handle) + dst_offset, src, bytes);
    }
    void copy_device_to_host(int, void* dst, const Allocation& src, size_t src_offset, size_t bytes) override {
        std::memmove(dst, static_cast<const char*>(src.handle) + src_offset, bytes);
    }
    void copy_device_to_device(int, const Allocation& dst, size_t dst_offset, const Allocation& src, size_t src_offset,
                               size_t bytes) override {
        std::memmove(static_cast<char*>(dst.handle) + dst_offset, static_cast<const char*>(src.handle) + src_offset, bytes);
    }
    void fill_zero(int, const Allocation& dst, size_t offset, size_t bytes) override {
        std::memset(static_cast<char*>(dst.handle) + offset, 0, bytes);
    }
    void synchronize(int) override {}
    std::unique_ptr<DeviceStream> create_stream(int) override { return std::make_unique<EmulatedStream>(); }
    std::unique_ptr<DeviceKernel> create_device_kernel(int, const NodeDesc& node) override {
        return make_node_kernel(m_constants, node);
    }
    bool host_unified_memory(int) override { return true; }

private:
    HostConstants m_constants;
};

std::atomic<bool> g_emulated{false};

}  // namespace

std::unique_ptr<DeviceKernel> make_node_kernel(ConstantMemory& constants, const NodeDesc& node) {
    if (!node.attributes) return nullptr;
    Builder builder(node);
    Launch launch = builder.build();
    if (!launch) return nullptr;
    return std::make_unique<CudaNodeKernel>(constants, node, builder.upload, std::move(launch));
}

std::unique_ptr<Backend> make_emulated_backend() { return std::make_unique<EmulatedBackend>(); }

namespace testing {
void set_emulated_device(bool on) { g_emulated = on; }
bool emulated_device() { return g_emulated; }
}  // namespace testing

}  // namespace lite::backend::cuda
