#include "core/onnx/onnx_model.h"

#include "core/onnx/protobuf_reader.h"

namespace lite::onnx {
namespace {

void append_le(std::vector<uint8_t>& out, const void* value, size_t bytes) {
    const auto* p = static_cast<const uint8_t*>(value);
    out.insert(out.end(), p, p + bytes);
}

size_t onnx_type_size(int32_t type) {
    switch (static_cast<OnnxType>(type)) {
        case OnnxType::Float: case OnnxType::Int32: case OnnxType::Uint32: return 4;
        case OnnxType::Uint8: case OnnxType::Int8: case OnnxType::Bool: return 1;
        case OnnxType::Uint16: case OnnxType::Int16: case OnnxType::Float16: case OnnxType::Bfloat16: return 2;
        case OnnxType::Int64: case OnnxType::Uint64: case OnnxType::Double: return 8;
        default: return 0;
    }
}

TensorData read_tensor(ProtoReader reader) {
    TensorData tensor;
    uint32_t field;
    WireType type;
    // Typed payloads are collected first: their element width depends on data_type, which may come later.
    std::vector<uint64_t> int_values;
    std::vector<float> float_values;
    std::vector<double> double_values;
    while (reader.next(field, type)) {
        switch (field) {
            case 1: reader.repeated_varint(type, [&](uint64_t v) { tensor.dims.push_back(static_cast<int64_t>(v)); }); break;
            case 2: tensor.onnx_type = reader.int32(); break;
            case 4: reader.repeated_float(type, [&](float v) { float_values.push_back(v); }); break;
            case 5: case 7: case 11:
                reader.repeated_varint(type, [&](uint64_t v) { int_values.push_back(v); });
                break;
            case 8: tensor.name = reader.string(); break;
            case 9: tensor.raw = reader.bytes(); break;
            case 10: reader.repeated_double(type, [&](double v) { double_values.push_back(v); }); break;
            case 14: tensor.external = reader.int32() == 1; break;
            default: reader.skip(type);
        }
    }
    for (int64_t d : tensor.dims) {
        if (d < 0) reader.fail("tensor '" + tensor.name + "' has a negative dim");
    }
    if (!tensor.raw.empty() || tensor.external) return tensor;
    // Decode typed fields to little-endian bytes of the element type.
    size_t width = onnx_type_size(tensor.onnx_type);
    if (!float_values.empty()) {
        for (float v : float_values) append_le(tensor.decoded, &v, 4);
    } else if (!double_values.empty()) {
        for (double v : double_values) append_le(tensor.decoded, &v, 8);
    } else if (!int_values.empty()) {
        for (uint64_t v : int_values) append_le(tensor.decoded, &v, width ? width : 8);  // little-endian truncation
    }
    return tensor;
}

void read_shape(ProtoReader reader, ValueInfo& info) {
    uint32_t field;
    WireType type;
    info.has_shape = true;
    while (reader.next(field, type)) {
        if (field != 1) { reader.skip(type); continue; }
        ProtoReader dim = reader.message("TensorShapeProto.Dimension");
        int64_t value = -1;
        std::string param;
        uint32_t f;
        WireType t;
        while (dim.next(f, t)) {
            if (f == 1) value = dim.int64();
            else if (f == 2) param = dim.string();
            else dim.skip(t);
        }
        info.dims.push_back(value);
        info.dim_params.push_back(param);
    }
}

ValueInfo read_value_info(ProtoReader reader) {
    ValueInfo info;
    uint32_t field;
    WireType type;
    while (reader.next(field, type)) {
        if (field == 1) {
            info.name = reader.string();
        } else if (field == 2) {
            ProtoReader type_proto = reader.message("TypeProto");
            uint32_t f;
            WireType t;
            while (type_proto.next(f, t)) {
                if (f != 1) { type_proto.skip(t); continue; }  // only tensor types
                ProtoReader tensor_type = type_proto.message("TypeProto.Tensor");
                uint32_t g;
                WireType u;
                while (tensor_type.next(g, u)) {
                    if (g == 1) info.onnx_type = tensor_type.int32();
                    else if (g == 2) read_shape(tensor_type.message("TensorShapeProto"), info);
                    else tensor_type.skip(u);
                }
            }
        } else {
            reader.skip(type);
        }
    }
    return info;
}

Attribute read_attribute(ProtoReader reader) {
    Attribute attr;
    uint32_t field;
    WireType type;
    while (reader.next(field, type)) {
        switch (field) {
            case 1: attr.name = reader.string(); break;
            case 20: attr.type = reader.int32(); break;
            case 2: attr.f = reader.fixed32_float(); break;
            case 3: attr.i = reader.int64(); break;
            case 4: attr.s = reader.string(); break;
            case 5: {
                // Attribute tensors are small (Constant values): own them so the model bytes can be dropped.
                attr.t = std::make_shared<TensorData>(read_tensor(reader.message("AttributeProto.t")));
                if (!attr.t->raw.empty()) {
                    attr.t->decoded.assign(attr.t->raw.begin(), attr.t->raw.end());
                    attr.t->raw = {};
                }
                break;
            }
            case 7: reader.repeated_float(type, [&](float v) { attr.floats.push_back(v); }); break;
            case 8: reader.repeated_varint(type, [&](uint64_t v) { attr.ints.push_back(static_cast<int64_t>(v)); }); break;
            case 9: attr.strings.push_back(reader.string()); break;
            default: reader.skip(type);  // subgraphs and sparse tensors: no supported op uses them
        }
    }
    return attr;
}

NodeData read_node(ProtoReader reader) {
    NodeData node;
    uint32_t field;
    WireType type;
    while (reader.next(field, type)) {
        switch (field) {
            case 1: node.inputs.push_back(reader.string()); break;
            case 2: node.outputs.push_back(reader.string()); break;
            case 3: node.name = reader.string(); break;
            case 4: node.op_type = reader.string(); break;
            case 5: node.attributes.push_back(read_attribute(reader.message("AttributeProto"))); break;
            case 7: node.domain = reader.string(); break;
            default: reader.skip(type);
        }
    }
    return node;
}

GraphData read_graph(ProtoReader reader) {
    GraphData graph;
    uint32_t field;
    WireType type;
    while (reader.next(field, type)) {
        switch (field) {
            case 1: graph.nodes.push_back(read_node(reader.message("NodeProto"))); break;
            case 2: graph.name = reader.string(); break;
            case 5: graph.initializers.push_back(std::make_shared<TensorData>(read_tensor(reader.message("initializer")))); break;
            case 11: graph.inputs.push_back(read_value_info(reader.message("graph input"))); break;
            case 12: graph.outputs.push_back(read_value_info(reader.message("graph output"))); break;
            case 13: graph.value_info.push_back(read_value_info(reader.message("value_info"))); break;
            default: reader.skip(type);
        }
    }
    return graph;
}

}  // namespace

bool to_lite_dtype(int32_t onnx_type, LiteDataType& dtype) {
    switch (static_cast<OnnxType>(onnx_type)) {
        case OnnxType::Float: dtype = LITE_FLOAT; return true;
        case OnnxType::Float16: dtype = LITE_HALF; return true;
        case OnnxType::Int32: dtype = LITE_INT; return true;
        case OnnxType::Int16: dtype = LITE_INT16; return true;
        case OnnxType::Int8: dtype = LITE_INT8; return true;
        case OnnxType::Uint8: dtype = LITE_UINT8; return true;
        case OnnxType::Uint32: dtype = LITE_UINT; return true;
        case OnnxType::Uint16: dtype = LITE_UINT16; return true;
        case OnnxType::Int64: dtype = LITE_INT64; return true;
        case OnnxType::Bool: dtype = LITE_BOOL; return true;
        default: return false;
    }
}

const char* onnx_type_name(int32_t onnx_type) {
    static const char* names[] = {"undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64",
                                  "string", "bool", "float16", "double", "uint32", "uint64", "complex64",
                                  "complex128", "bfloat16"};
    if (onnx_type < 0 || onnx_type > 16) return "unknown";
    return names[onnx_type];
}

ModelData parse_model(const uint8_t* data, size_t size) {
    if (size == 0) {
        throw Error(ErrorCode::InvalidModel, "the model is empty (0 bytes): pass an ONNX model file or its bytes");
    }
    ModelData model;
    ProtoReader reader(data, size, "ModelProto");
    uint32_t field;
    WireType type;
    bool has_graph = false;
    while (reader.next(field, type)) {
        switch (field) {
            case 1: model.ir_version = reader.int64(); break;
            case 2: model.producer = reader.string(); break;
            case 7: model.graph = read_graph(reader.message("GraphProto")); has_graph = true; break;
            case 8: {
                ProtoReader opset = reader.message("OperatorSetIdProto");
                std::string domain;
                int64_t version = 0;
                uint32_t f;
                WireType t;
                while (opset.next(f, t)) {
                    if (f == 1) domain = opset.string();
                    else if (f == 2) version = opset.int64();
                    else opset.skip(t);
                }
                model.opsets[domain == "ai.onnx" ? "" : domain] = version;
                break;
            }
            default: reader.skip(type);
        }
    }
    if (!has_graph || model.ir_version == 0) {
        throw Error(ErrorCode::InvalidModel, "the data is not an ONNX model (no graph or IR version): pass an "
                                             ".onnx file exported by a framework");
    }
    return model;
}

TensorData parse_tensor(const uint8_t* data, size_t size) {
    return read_tensor(ProtoReader(data, size, "TensorProto"));
}

}  // namespace lite::onnx
