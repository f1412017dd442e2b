// ONNX models as plain structs, read straight from the protobuf wire format (see README, "ONNX parsing").
// Tensor payloads stay views into the model bytes until the loader copies them into the weight arena.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lite/common.h"

namespace lite::onnx {

//! ONNX TensorProto.DataType values edgelite reads.
enum class OnnxType : int32_t {
    Undefined = 0, Float = 1, Uint8 = 2, Int8 = 3, Uint16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, Uint32 = 12, Uint64 = 13, Complex64 = 14, Complex128 = 15, Bfloat16 = 16,
};
//! The edgelite dtype of an ONNX type; false for types edgelite does not run (string, double, ...).
bool to_lite_dtype(int32_t onnx_type, LiteDataType& dtype);
const char* onnx_type_name(int32_t onnx_type);

struct TensorData {
    std::string name;
    int32_t onnx_type = 0;
    std::vector<int64_t> dims;
    std::string_view raw;            //!< raw_data: a view into the model buffer
    std::vector<uint8_t> decoded;    //!< typed fields (float_data, int64_data, ...) as little-endian bytes
    bool external = false;           //!< data_location EXTERNAL (not supported)

    //! The element bytes, little-endian, whichever way the model stored them.
    std::string_view data() const {
        return decoded.empty() ? raw : std::string_view(reinterpret_cast<const char*>(decoded.data()), decoded.size());
    }
};

struct Attribute {
    enum Type { Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7,
                Strings = 8, Tensors = 9, Graphs = 10 };
    std::string name;
    int type = Undefined;
    float f = 0;
    int64_t i = 0;
    std::string s;
    std::shared_ptr<TensorData> t;
    std::vector<float> floats;
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
};

struct NodeData {
    std::string name, op_type, domain;
    std::vector<std::string> inputs, outputs;  //!< "" marks an omitted optional input
    std::vector<Attribute> attributes;
};

struct ValueInfo {
    std::string name;
    int32_t onnx_type = 0;     //!< 0 when the type is not a tensor or not given
    bool has_shape = false;
    std::vector<int64_t> dims; //!< -1 for a symbolic or unknown dim
    std::vector<std::string> dim_params;
};

struct GraphData {
    std::string name;
    std::vector<NodeData> nodes;
    std::vector<std::shared_ptr<TensorData>> initializers;
    std::vector<ValueInfo> inputs, outputs, value_info;
};

struct ModelData {
    int64_t ir_version = 0;
    std::map<std::string, int64_t> opsets;  //!< domain ("" is ai.onnx) -> version
    std::string producer;
    GraphData graph;
};

//! Parses an ONNX model. The buffer must outlive the result (tensor bytes point into it). Throws
//! Error(InvalidModel) naming what is wrong for corrupt, truncated or non-ONNX input.
ModelData parse_model(const uint8_t* data, size_t size);
//! Parses one TensorProto (e.g. ONNX test data input_0.pb).
TensorData parse_tensor(const uint8_t* data, size_t size);

}  // namespace lite::onnx
