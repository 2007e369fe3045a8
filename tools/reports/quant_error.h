// Where quantization loses precision: for every activation tensor the int8 runtime stores as
// uint8, its signal-to-quantization-noise ratio against the FP32 model's tensor of the same
// name, over a set of images. The error is end to end (it includes what earlier layers lost),
// as a user sees it. octet-quantize prints it, as text or as the Markdown table that
// docs/quantization.md shows for ResNet8 (octet-quantize --markdown --update-doc).
#pragma once
#include <string>
#include <vector>

#include "engine/runtime/plan.h"
#include "graph/ir.h"
#include "tools/datasets/cifar.h"

namespace octet {

struct TensorError {
  std::string value;       // the tensor's name in the model
  std::string step;        // the node that writes it
  std::string layer;       // what writes it, e.g. "conv 3x3 s2 16→32, 16x16 + relu"
  float scale = 1.f;
  int32_t zero_point = 0;  // uint8 domain
  double signal = 0;       // sum of FP32 values squared
  double noise = 0;        // sum of (FP32 - dequantized int8) squared
  // With the quantized graph given: sum of (FP32 - the float model run with the quantized
  // weights and biases, activations in float) squared; -1 when not measured.
  double weight_noise = -1;
  int64_t elements = 0;
  double sqnr_db() const;  // 10 log10(signal / noise); +inf when noise is 0
  double weights_only_sqnr_db() const;   // the same for weight_noise
};

// `fp32` is the float graph the reference executor runs (quantization_base of the model),
// `int8` the compiled quantized plan; tensors are matched by name, in plan order. A buffer whose
// value is read only by a Relu or Clip (merged into the producer's range, see
// docs/quantization.md) is compared with that Relu's output and named after it.
// Pass the plan of the quantized graph *before* epilogue fusion (compile_plan(q)): it is
// bit-identical to the fused one but also stores a residual block's conv output, which the
// fused kernel rounds in registers before the Add.
// With `quantized` (the graph `int8` was compiled from), each tensor's error is also measured
// with only the weights and biases quantized (TensorError::weight_noise): what the weights
// cost, apart from rounding the activations. It runs the images once more.
std::vector<TensorError> quantization_error(const Graph& fp32, const Plan& int8, const CifarSet& images,
                                            ImageLayout layout, bool progress, const Graph* quantized = nullptr);

// `quantized` as a float graph whose Conv/Gemm weights and biases hold their stored values,
// dequantized (scale * (q - zero_point)), and with no other quantization.
Graph weights_only_graph(const Graph& quantized);

std::string quantization_error_text(const std::vector<TensorError>& errors);

// One table, one SQNR column per scheme, then (when measured) one weights-only column per
// scheme (rows matched by tensor name, in the first scheme's order; "–" where a scheme has no
// such tensor, "exact" for an infinite SQNR).
struct SchemeErrors {
  std::string scheme;
  std::vector<TensorError> errors;
};
std::string quantization_error_markdown(const std::vector<SchemeErrors>& schemes);

// `doc` with the text between the lines `<!-- sqnr:begin -->` and `<!-- sqnr:end -->` replaced
// by `block` (the marker lines kept). Throws octet::Error, naming `doc_name`, when the markers
// are missing, repeated or out of order.
std::string replace_sqnr_block(const std::string& doc, const std::string& block, const std::string& doc_name);

}  // namespace octet
