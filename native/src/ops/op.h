// The operator interface. Each ONNX op is one file in this folder that defines a Kernel (attributes parsed once
// at load, shape inference, the CPU reference computation) and is listed once in op_list.inc. Everything that
// needs to know which ops exist (load-time support checks, `edgelite info`, conformance tests) asks the registry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lite/common.h"
#include "lite/error.h"

namespace lite::onnx {
struct Attribute;
}

namespace lite::ops {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& shape);
std::string shape_str(const Shape& shape);

//! A dense, row-major tensor in host memory, as kernels see it.
struct TensorView {
    void* data = nullptr;
    LiteDataType dtype = LITE_FLOAT;
    Shape shape;

    int64_t numel() const { return ops::numel(shape); }
    size_t nbytes() const;
    template <typename T>
    T* as() const { return static_cast<T*>(data); }
};

//! Reads a node's attributes with defaults; a missing required attribute or a wrong type is Error(InvalidModel)
//! naming the node and attribute.
class Attributes {
public:
    Attributes(const std::vector<onnx::Attribute>& attributes, std::string node_desc);
    bool has(const std::string& name) const;
    int64_t get_int(const std::string& name, int64_t fallback) const;
    int64_t get_int(const std::string& name) const;  //!< required
    float get_float(const std::string& name, float fallback) const;
    std::string get_string(const std::string& name, const std::string& fallback) const;
    std::vector<int64_t> get_ints(const std::string& name, const std::vector<int64_t>& fallback = {}) const;
    std::vector<float> get_floats(const std::string& name, const std::vector<float>& fallback = {}) const;
    std::vector<std::string> get_strings(const std::string& name) const;
    //! A tensor attribute (e.g. Constant's value, ConstantOfShape's value) as an owned tensor; nullptr if absent.
    struct OwnedTensor {
        std::vector<uint8_t> bytes;
        TensorView view;
    };
    std::shared_ptr<OwnedTensor> get_tensor(const std::string& name) const;
    //! "node 'conv1' (Conv)": for error messages.
    const std::string& node_desc() const { return m_node_desc; }
    [[noreturn]] void fail(const std::string& why) const;

private:
    const onnx::Attribute* find(const std::string& name, int type) const;
    const std::vector<onnx::Attribute>& m_attributes;
    std::string m_node_desc;
};

//! Thrown by InferContext::require_value when an input's value is not known yet (not a constant at load):
//! the node's output shapes are then inferred at run time.
struct ValueNotKnown {};

//! Shape and type inference. At load, inputs that are constants (initializers, folded subgraphs) have values;
//! at run time (for nodes whose shapes depend on run-time values) every input has one.
class InferContext {
public:
    virtual ~InferContext() = default;
    virtual size_t num_inputs() const = 0;
    //! False for an omitted optional input ("" in the model) or an index past the inputs.
    virtual bool has_input(size_t i) const = 0;
    virtual LiteDataType input_dtype(size_t i) const = 0;
    virtual const Shape& input_shape(size_t i) const = 0;
    //! The input's value when known now, else nullptr.
    virtual const TensorView* input_value(size_t i) const = 0;
    //! The input's value; throws ValueNotKnown when it is not known yet.
    const TensorView& require_value(size_t i) const;
    virtual size_t num_outputs() const = 0;
    virtual void set_output(size_t i, LiteDataType dtype, const Shape& shape) = 0;
    virtual int opset() const = 0;
    //! Throws Error(InvalidModel) naming the node, e.g. for inputs of incompatible shapes.
    [[noreturn]] virtual void fail(const std::string& why) const = 0;
};

//! Runs parallel_for(n, fn) over [0, n) in chunks on the network's thread pool; fn(begin, end).
using ParallelFor = std::function<void(int64_t n, const std::function<void(int64_t, int64_t)>& fn)>;

class RunContext {
public:
    virtual ~RunContext() = default;
    virtual size_t num_inputs() const = 0;
    virtual bool has_input(size_t i) const = 0;
    virtual const TensorView& input(size_t i) const = 0;
    virtual size_t num_outputs() const = 0;
    //! Output i, allocated with the shape set by infer (or, for kernels that size outputs themselves, by
    //! allocate_output below).
    virtual TensorView& output(size_t i) = 0;
    //! For ops whose output shape is only known while computing (NonZero): sets the shape and allocates.
    virtual TensorView& allocate_output(size_t i, LiteDataType dtype, const Shape& shape) = 0;
    virtual void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) const = 0;
};

//! An activation applied elementwise in a producer's epilogue (Conv+Relu, Gemm+Clip, ...).
struct Activation {
    enum Kind { None, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh };
    Kind kind = None;
    float alpha = 0.f, beta = 0.f;              //!< LeakyRelu alpha; HardSigmoid alpha, beta
    float min = -3.4e38f, max = 3.4e38f;        //!< Clip bounds
    float scale = 1.f, shift = 0.f;             //!< applied after the activation: y = act(x) * scale + shift
    float apply(float x) const;
    float apply_kind(float x) const;  //!< the activation alone, without the affine part
    const char* name() const;
    bool has_affine() const { return scale != 1.f || shift != 0.f; }
    //! y = x: no activation and no affine part.
    bool identity() const { return kind == None && !has_affine(); }
    //! Makes this "this, then next" when one activation can say it (next a pure affine, or this the identity);
    //! false (unchanged) otherwise.
    bool then(const Activation& next);
};

class Kernel {
public:
    virtual ~Kernel() = default;
    //! Validates input types/shapes and sets every output's dtype and shape.
    virtual void infer(InferContext& ctx) = 0;
    //! Computes the outputs from the inputs. Output memory may hold garbage.
    virtual void run(RunContext& ctx) = 0;
    //! True when output 0 may be written over input 0 (same dtype and element count, elementwise).
    virtual bool inplace_ok() const { return false; }
    //! True when the output shape depends on the values computed (NonZero): infer cannot size it.
    virtual bool output_shape_from_run() const { return false; }
    //! True when the outputs depend on the input shapes only, not their values (Shape, Size): such a node is
    //! folded into a constant once its input shapes are known.
    virtual bool output_from_input_shapes() const { return false; }
    //! Activation ops describe themselves so that the fusion pass can move them into their producer.
    //! constant_inputs[i] is input i's value when constant (Clip's min/max), else nullptr.
    virtual bool as_activation(const std::vector<const TensorView*>& /*constant_inputs*/, Activation& /*out*/) const {
        return false;
    }
    //! Producers (Conv, ConvTranspose, Gemm, MatMul) accept an activation applied to every output element;
    //! return false when not supported. Called at load, before the first run.
    virtual bool fuse_activation(const Activation& /*activation*/) { return false; }
    //! Conv accepts a residual connection: an extra input 3 (B may be omitted before it) added to the output
    //! before the fused activation. It has the output's shape, except that it may have fewer channels (axis 1):
    //! the other output channels get nothing added (a residual padded with zero channels). Called at load,
    //! before fuse_activation; false when not supported.
    virtual bool fuse_residual_add() { return false; }
};

struct OpInfo {
    const char* name;
    //! Creates the kernel of one node: parse and validate attributes here. opset is the model's ai.onnx version.
    std::unique_ptr<Kernel> (*create)(const Attributes& attributes, int opset);
};

//! The op named `op_type` in the default (ai.onnx) domain, or nullptr.
const OpInfo* find_op(const std::string& op_type);
//! Every registered op, sorted by name.
const std::vector<OpInfo>& all_ops();

// Helpers shared by kernels.
//! Numpy-style multidirectional broadcast of two shapes; throws via ctx.fail when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const InferContext& ctx);
//! Normalises a possibly negative axis against rank; fails via ctx when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const InferContext& ctx);
//! Reads an integer tensor (int32 or int64) as int64 values.
std::vector<int64_t> read_ints(const TensorView& tensor);
//! Reads a float tensor (float32, float16 or an integer type) as float values.
std::vector<float> read_floats(const TensorView& tensor);
float half_to_float(uint16_t bits);
uint16_t float_to_half(float value);

}  // namespace lite::ops

//! Defines the factory of an op's kernel class: EDGELITE_OP(Relu, ReluKernel) in the op's file; the kernel class
//! has a constructor (const Attributes&, int opset).
#define EDGELITE_OP(NAME, KERNEL)                                                                        \
    namespace lite::ops {                                                                                \
    std::unique_ptr<Kernel> create_op_##NAME(const Attributes& attributes, int opset) {                 \
        return std::make_unique<KERNEL>(attributes, opset);                                              \
    }                                                                                                    \
    }
