#include "core/graph.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "backends/backend.h"
#include "lite/error.h"
#include "lite/layout.h"

namespace lite {

ConstantBuffer::ConstantBuffer(size_t size) : bytes(size) {
    size_t rounded = std::max<size_t>((size + kAlignment - 1) / kAlignment * kAlignment, kAlignment);
    data = std::aligned_alloc(kAlignment, rounded);
    if (!data) throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(size) + " bytes of weights");
}

ConstantBuffer::~ConstantBuffer() { std::free(data); }

size_t Value::nbytes() const { return static_cast<size_t>(ops::numel(shape)) * dtype_size(dtype); }

int Graph::find_value(const std::string& name) const {
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].name == name) return static_cast<int>(i);
    }
    return -1;
}

void Graph::relink() {
    for (auto& value : values) {
        value.producer = -1;
        value.consumers.clear();
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
        if (nodes[n].removed) continue;
        for (int v : nodes[n].inputs) {
            if (v >= 0) values[v].consumers.push_back(static_cast<int>(n));
        }
        for (int v : nodes[n].outputs) {
            if (v >= 0) values[v].producer = static_cast<int>(n);
        }
    }
}

ModelSource make_model_source(const onnx::ModelData& model) {
    ModelSource source;
    auto opset = model.opsets.find("");
    if (opset == model.opsets.end()) {
        throw Error(ErrorCode::InvalidModel, "the model imports no ai.onnx opset: it is not a standard ONNX model");
    }
    source.opset = static_cast<int>(opset->second);
    if (source.opset < 7 || source.opset > 18) {
        throw Error(ErrorCode::UnsupportedOp, "the model uses ai.onnx opset " + std::to_string(source.opset) +
                                                  "; edgelite runs opsets 7 to 18: re-export the model with one of "
                                                  "those (e.g. torch.onnx.export(..., opset_version=17))");
    }
    // Every unsupported op and node at once, grouped by op, so one error says everything a converter must fix.
    std::map<std::string, std::vector<std::string>> unsupported;
    size_t unsupported_nodes = 0;
    for (size_t i = 0; i < model.graph.nodes.size(); ++i) {
        const auto& node = model.graph.nodes[i];
        bool standard = node.domain.empty() || node.domain == "ai.onnx";
        if (standard && ops::find_op(node.op_type)) continue;
        unsupported[(standard ? "" : node.domain + ".") + node.op_type].push_back(
                node.name.empty() ? "#" + std::to_string(i) : "'" + node.name + "'");
        ++unsupported_nodes;
    }
    if (!unsupported.empty()) {
        std::string list;
        for (const auto& [op, nodes] : unsupported) {
            list += (list.empty() ? "" : "; ") + op + " (" + std::to_string(nodes.size()) + " node" +
                    (nodes.size() > 1 ? "s" : "") + ": ";
            for (size_t k = 0; k < nodes.size(); ++k) list += (k ? ", " : "") + nodes[k];
            list += ")";
        }
        throw Error(ErrorCode::UnsupportedOp, std::to_string(unsupported.size()) + " operator type(s) in " +
                                                  std::to_string(unsupported_nodes) +
                                                  " node(s) are not supported by edgelite: " + list +
                                                  ". `edgelite info MODEL` lists them; README.md lists the supported ops");
    }
    // An initializer, or the tensor of a Constant node, as a constant of the model.
    auto add_constant = [&](const onnx::TensorData& tensor, const std::string& name, const char* what) {
        LiteDataType dtype;
        if (!onnx::to_lite_dtype(tensor.onnx_type, dtype)) {
            throw Error(ErrorCode::UnsupportedOp, std::string(what) + " '" + name + "' has element type " +
                                                      onnx::onnx_type_name(tensor.onnx_type) +
                                                      ", which edgelite does not run");
        }
        if (tensor.external) {
            throw Error(ErrorCode::NotSupported, std::string(what) + " '" + name + "' is stored in an external file: "
                                                 "save the model with its weights inside (onnx.save(..., "
                                                 "save_as_external_data=False))");
        }
        if (source.constants.count(name)) {
            throw Error(ErrorCode::InvalidModel, std::string(what) + " '" + name + "' is defined twice");
        }
        std::string_view data = tensor.data();
        size_t expected = static_cast<size_t>(ops::numel(tensor.dims)) * dtype_size(dtype);
        if (data.size() != expected) {
            throw Error(ErrorCode::InvalidModel, std::string(what) + " '" + name + "' holds " +
                                                     std::to_string(data.size()) + " bytes, its shape needs " +
                                                     std::to_string(expected));
        }
        auto buffer = std::make_shared<ConstantBuffer>(expected);
        if (expected) std::memcpy(buffer->data, data.data(), expected);
        source.constants[name] = buffer;
        source.constant_layouts[name] = {dtype, tensor.dims};
    };
    for (const auto& init : model.graph.initializers) add_constant(*init, init->name, "initializer");
    for (const auto& input : model.graph.inputs) {
        if (source.constants.count(input.name)) continue;  // older models list initializers as inputs too
        LiteDataType dtype;
        if (!onnx::to_lite_dtype(input.onnx_type, dtype)) {
            throw Error(ErrorCode::UnsupportedOp, "input '" + input.name + "' has element type " +
                                                      onnx::onnx_type_name(input.onnx_type) +
                                                      ", which edgelite does not run");
        }
        source.inputs.push_back(input);
    }
    source.outputs = model.graph.outputs;
    source.model_nodes = model.graph.nodes.size();
    // Constant nodes with a tensor value become constants like initializers (exporters such as paddle2onnx put
    // every weight in one): the graph then shares the one buffer instead of a node's attribute, its kernel's copy
    // and the folded result (PP-OCR rec: 30 MiB less at load).
    for (const auto& node : model.graph.nodes) {
        const bool standard = node.domain.empty() || node.domain == "ai.onnx";
        if (standard && node.op_type == "Constant" && node.outputs.size() == 1 && !node.outputs[0].empty() &&
            node.attributes.size() == 1 && node.attributes[0].name == "value" && node.attributes[0].t) {
            for (const auto& input : source.inputs) {
                if (input.name == node.outputs[0]) {
                    throw Error(ErrorCode::InvalidModel, "Constant node '" + node.name + "' writes '" + input.name +
                                                             "', which is a model input");
                }
            }
            add_constant(*node.attributes[0].t, node.outputs[0], "Constant");
            continue;
        }
        source.nodes.push_back(node);
    }
    for (auto& node : source.nodes) {
        for (auto& attribute : node.attributes) {
            if (attribute.t && !attribute.t->raw.empty()) {  // keep nothing that points into the model bytes
                attribute.t->decoded.assign(attribute.t->raw.begin(), attribute.t->raw.end());
                attribute.t->raw = {};
            }
        }
    }
    return source;
}

Graph build_graph(const ModelSource& source,
                  const std::map<std::string, std::pair<LiteDataType, ops::Shape>>& input_layouts,
                  const std::vector<std::string>& output_names) {
    Graph graph;
    graph.opset = source.opset;
    std::map<std::string, int> ids;
    auto add_value = [&](const std::string& name) {
        auto found = ids.find(name);
        if (found != ids.end()) return found->second;
        Value value;
        value.name = name;
        graph.values.push_back(value);
        int id = static_cast<int>(graph.values.size() - 1);
        ids[name] = id;
        return id;
    };
    for (const auto& [name, buffer] : source.constants) {
        Value& value = graph.values[static_cast<size_t>(add_value(name))];
        value.constant = buffer;
        value.dtype = source.constant_layouts.at(name).first;
        value.shape = source.constant_layouts.at(name).second;
        value.shape_known = true;
    }
    for (const auto& input : source.inputs) {
        int id = add_value(input.name);
        Value& value = graph.values[static_cast<size_t>(id)];
        value.is_input = true;
        auto layout = input_layouts.find(input.name);
        if (layout != input_layouts.end()) {
            value.dtype = layout->second.first;
            value.shape = layout->second.second;
        } else {
            onnx::to_lite_dtype(input.onnx_type, value.dtype);
            for (int64_t d : input.dims) value.shape.push_back(d > 0 ? d : 1);  // symbolic dims default to 1
        }
        value.shape_known = true;
        graph.inputs.push_back(id);
    }
    std::set<std::string> produced;
    backend::Backend* backend = backend::find_backend(LITE_CPU);
    for (const auto& node_data : source.nodes) {
        Node node;
        node.name = node_data.name;
        node.op_type = node_data.op_type;
        for (const auto& name : node_data.inputs) {
            if (name.empty()) {
                node.inputs.push_back(-1);
                continue;
            }
            if (!ids.count(name)) {
                throw Error(ErrorCode::InvalidModel, node.describe() + " reads '" + name +
                                                         "', which no earlier node, input or initializer defines "
                                                         "(nodes must be in topological order)");
            }
            node.inputs.push_back(ids[name]);
        }
        for (const auto& name : node_data.outputs) {
            if (name.empty()) {
                node.outputs.push_back(-1);
                continue;
            }
            if (ids.count(name) && (graph.values[static_cast<size_t>(ids[name])].is_input || produced.count(name) ||
                                    graph.values[static_cast<size_t>(ids[name])].is_constant())) {
                throw Error(ErrorCode::InvalidModel, node.describe() + " writes '" + name + "', which is already defined");
            }
            produced.insert(name);
            node.outputs.push_back(add_value(name));
        }
        const ops::OpInfo* op = ops::find_op(node_data.op_type);
        ops::Attributes attributes(node_data.attributes, node.describe());
        // The device's own kernel when it has one for this op, else the reference kernel.
        std::unique_ptr<ops::Kernel> kernel;
        if (backend) kernel = backend->create_kernel(node_data.op_type, attributes, source.opset);
        node.kernel = kernel ? std::shared_ptr<ops::Kernel>(std::move(kernel))
                             : std::shared_ptr<ops::Kernel>(op->create(attributes, source.opset));
        node.attributes = node_data.attributes;
        graph.nodes.push_back(std::move(node));
    }
    std::vector<std::string> names = output_names;
    if (names.empty()) {
        for (const auto& output : source.outputs) names.push_back(output.name);
    }
    for (const auto& name : names) {
        if (!ids.count(name)) {
            throw Error(output_names.empty() ? ErrorCode::InvalidModel : ErrorCode::InvalidArgument,
                        "output '" + name + "' is not a value of the model (no node, input or initializer defines it)");
        }
        int id = ids[name];
        graph.values[static_cast<size_t>(id)].is_output = true;
        graph.outputs.push_back(id);
    }
    graph.relink();
    return graph;
}

}  // namespace lite
