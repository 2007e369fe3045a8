// The quantization pass: turns calibrated ranges (clipped by the calibration method) into per-tensor parameters on the graph's
// values (Value::quant), giving the quantized graph of docs/quantization.md. The graph must be
// prepared and optimised without epilogue fusion (optimize_graph(g, false)): Conv, Add and Relu
// separate, as in a QDQ model.
#pragma once
#include <vector>

#include "graph/ir.h"
#include "quant/calibrate.h"
#include "quant/calibration_method.h"
#include "quant/scheme.h"

namespace octet::quant {

struct QuantizeOptions {
  // Subtract from each Conv/Gemm bias the mean shift that rounding its weights causes, over
  // the calibration images (Nagel et al. 2019, "Data-Free Quantization", 4.2, with the
  // empirical input mean; padding-aware). The float weights are kept; only the bias changes.
  bool bias_correction = true;
  // How an activation's range comes from what calibration observed (MinMax by default).
  MethodOptions calibration;
  // Symmetric int8 weights with one scale per output channel (axis 0 of a Conv weight
  // [M, C/group, kH, kW], depthwise included; a Gemm's output axis), and biases at
  // s_in * s_w[c]. The int8 and u8s8 schemes only (uint8 weights are asymmetric).
  bool per_channel = false;
};

// Annotates: the activations read or written by the nodes an int8 kernel takes
// (engine/int8_coverage.h: Conv, Gemm, Add, Mul, AveragePool, GlobalAveragePool, MaxPool, Concat
// in the forms the kernels have, and the table activations, SiLU's Sigmoid output excepted;
// a MaxPool's output with its input's parameters); the values around Relu, Clip, Reshape, Flatten, Transpose and Identity next to
// those (a Relu or Clip is merged: its input takes the parameters of its output's range); the
// weights of those Conv and Gemm nodes (scheme's weight type, per tensor or per channel) and
// their biases (int32, scale s_in * s_w, per channel with the weights). Throws octet::Error
// naming the value when a range it needs was never observed, and for per_channel with the
// uint8 scheme.
void quantize_graph(Graph& graph, const std::vector<ValueRange>& ranges, Scheme scheme,
                    const QuantizeOptions& options = {});

// The graph the int8 engine compiles: the quantized graph with Conv -> Add -> Relu fused
// (graph/passes fuse_conv_epilogue keeps the annotations of the values it keeps).
Graph fuse_quantized_graph(Graph graph);

// True when any value carries quantization parameters.
bool is_quantized(const Graph& graph);

}  // namespace octet::quant
