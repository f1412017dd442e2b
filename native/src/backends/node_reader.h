// Reading a node's description (backend.h's NodeDesc) while mapping it onto a device's kernels: which inputs are
// present and float32, which constants the kernel uploads at load, the shapes. The OpenCL and CUDA node mappers
// derive from it; a mapper returns "not covered" (the node runs on the CPU) whenever a check fails.
#pragma once

#include <initializer_list>
#include <vector>

#include "backends/backend.h"

namespace lite::backend {

class NodeReader {
public:
    explicit NodeReader(const NodeDesc& node) : n(node), a(*node.attributes), upload(node.inputs.size(), false) {}

    const NodeDesc& n;
    const ops::Attributes& a;
    std::vector<bool> upload;  //!< per input: a constant the kernel reads, uploaded at load

protected:
    const ops::Shape& in_shape(size_t i) const { return n.inputs[i].shape; }
    const ops::Shape& out_shape() const { return n.outputs[0].shape; }
    bool has(size_t i) const { return i < n.inputs.size() && n.inputs[i].present; }
    //! The inputs the kernel reads as float tensors: each must be float32 (uploaded when constant).
    bool data_inputs(std::initializer_list<size_t> indices) {
        for (size_t i : indices) {
            if (!has(i)) continue;
            if (n.inputs[i].dtype != LITE_FLOAT) return false;
            upload[i] = n.inputs[i].constant != nullptr;
        }
        return true;
    }
    //! Only the first `count` inputs may be present (an op version with inputs the kernels do not know stays on
    //! the CPU).
    bool only_inputs(size_t count) const {
        for (size_t i = count; i < n.inputs.size(); ++i) {
            if (n.inputs[i].present) return false;
        }
        return true;
    }
};

}  // namespace lite::backend
