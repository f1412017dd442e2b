// Graph passes run at load and on every re-plan, in this order:
//   infer_and_fold      shape inference with the concrete input layouts; nodes whose inputs are all constant
//                       (Constant, shape subgraphs such as Shape→Gather→Concat→Reshape) are computed once here,
//                       and Shape/Size once their input's shape is known
//   fold_batch_norm     BatchNormalization after Conv or ConvTranspose folded into the Conv's weights and bias
//   fold_conv_affine    Mul/Add by per-channel constants after Conv or ConvTranspose folded into its weights and bias
//   fuse_hard_swish     x * Clip(x + 3, 0, 6) / 6 written out as Add/Clip/Mul/Div becomes one HardSwish node
//   fuse_residual_add   Add(Conv(x), r) becomes Conv with r as an extra input added in its epilogue (r may be a
//                       Concat with zero channels, as BlazeFace pads its residuals: r's own channels are added)
//   fuse_activations    Relu/Clip/HardSwish/... and scalar Mul/Add/Sub/Div after Conv, ConvTranspose, Gemm or
//                       MatMul applied in the producer's epilogue
//   remove_dead_nodes   nodes whose results nobody uses
#pragma once

#include "core/graph.h"
#include "core/thread_pool.h"

namespace lite {

void infer_and_fold(Graph& graph, ThreadPool& pool);
//! Return whether they changed the graph.
bool fold_batch_norm(Graph& graph);
bool fold_conv_affine(Graph& graph);
void fuse_hard_swish(Graph& graph);
void fuse_residual_add(Graph& graph);
void fuse_activations(Graph& graph);
//! The optimising passes in order (opt level > 0): BatchNorm and affine folding, HardSwish, residual adds,
//! activation fusion.
void optimize(Graph& graph);
void remove_dead_nodes(Graph& graph);

//! All passes in order. opt_level 0 (Options::graph_opt_level) keeps the graph as the model has it apart from
//! shape inference, constant folding and dead nodes: no BatchNorm folding, no fusion.
void run_passes(Graph& graph, ThreadPool& pool, int opt_level = 2);

}  // namespace lite
