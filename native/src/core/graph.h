// The graph IR: values (tensors) and nodes (op instances) in topological order, as plain data that passes
// rewrite, the planner annotates and the executor walks.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/onnx/onnx_model.h"
#include "ops/op.h"

namespace lite {

//! Aligned, immutable constant bytes shared by the graphs that use them (re-plans, shared weights).
struct ConstantBuffer {
    explicit ConstantBuffer(size_t bytes);
    ~ConstantBuffer();
    ConstantBuffer(const ConstantBuffer&) = delete;
    ConstantBuffer& operator=(const ConstantBuffer&) = delete;
    void* data = nullptr;
    size_t bytes = 0;
};

struct Value {
    std::string name;
    LiteDataType dtype = LITE_FLOAT;
    ops::Shape shape;
    bool shape_known = false;  //!< false: only known at run time (after a dynamic node)
    bool is_input = false;     //!< a graph input, bound to an IO tensor
    bool is_output = false;    //!< a graph output, computed into an IO tensor
    std::shared_ptr<ConstantBuffer> constant;  //!< set for initializers and folded values
    int producer = -1;         //!< node index, -1 for inputs and constants
    std::vector<int> consumers;

    bool is_constant() const { return constant != nullptr; }
    ops::TensorView constant_view() const {
        return ops::TensorView{constant ? constant->data : nullptr, dtype, shape};
    }
    size_t nbytes() const;
};

struct Node {
    std::string name, op_type;
    std::vector<int> inputs;   //!< value ids; -1 for an omitted optional input
    std::vector<int> outputs;  //!< value ids; -1 for an omitted optional output
    std::shared_ptr<ops::Kernel> kernel;
    std::vector<onnx::Attribute> attributes;  //!< as in the model, for passes (e.g. BatchNormalization's epsilon)
    bool dynamic = false;  //!< output shapes are inferred at run time
    bool removed = false;  //!< folded or dead; skipped by the planner and executor
    std::string fused;     //!< ops fused into this node, e.g. "BatchNormalization+Relu", for info and profiles
    //! What the passes fused into the kernel's epilogue (as told to fuse_activation / fuse_residual_add), for
    //! device kernels made from the node's description.
    ops::Activation activation;
    bool residual = false;

    std::string describe() const { return "node '" + name + "' (" + op_type + ")"; }
};

struct Graph {
    std::vector<Value> values;
    std::vector<Node> nodes;
    std::vector<int> inputs, outputs;  //!< value ids in model order
    int opset = 0;

    int find_value(const std::string& name) const;
    //! Recomputes producer/consumer links from the live nodes.
    void relink();
};

//! The model as loaded, kept to rebuild the graph when an input layout changes (re-plan): nodes with their
//! attributes, constants already copied into aligned buffers (the model bytes are not kept).
struct ModelSource {
    int opset = 0;
    std::vector<onnx::NodeData> nodes;  //!< the model's, but Constant nodes with a tensor (they are constants here)
    size_t model_nodes = 0;             //!< nodes in the model
    std::map<std::string, std::shared_ptr<ConstantBuffer>> constants;
    std::map<std::string, std::pair<LiteDataType, ops::Shape>> constant_layouts;
    std::vector<onnx::ValueInfo> inputs, outputs;
};

//! Reads a parsed model into a ModelSource: checks opsets, op support (one error listing every unsupported op
//! and node), dtypes, and copies the initializers and the tensors of Constant nodes.
ModelSource make_model_source(const onnx::ModelData& model);

//! Builds the graph with the given input layouts (by input name; missing ones use the model's, unknown dims 1).
//! `output_names` are the values to compute, in order (any value of the model); empty means the model's outputs.
Graph build_graph(const ModelSource& source, const std::map<std::string, std::pair<LiteDataType, ops::Shape>>& input_layouts,
                  const std::vector<std::string>& output_names = {});

}  // namespace lite
