// Where quantization loses precision: for every tensor the int8 runtime stores as uint8, its
// signal-to-quantization-noise ratio against the FP32 model's tensor of the same name, over a
// set of images. The error is end to end (it includes what earlier layers lost), as a user
// sees it. octet-quantize prints it; docs/quantization.md shows ResNet8's.
#pragma once
#include <string>
#include <vector>

#include "engine/plan.h"
#include "graph/ir.h"
#include "tools/common/cifar.h"

namespace octet {

struct TensorError {
  std::string value;       // the tensor's name in the model
  std::string step;        // the node that writes it
  float scale = 1.f;
  int32_t zero_point = 0;  // uint8 domain
  double signal = 0;       // sum of FP32 values squared
  double noise = 0;        // sum of (FP32 - dequantized int8) squared
  int64_t elements = 0;
  double sqnr_db() const;  // 10 log10(signal / noise); +inf when noise is 0
};

// `fp32` is the float graph the reference executor runs (quantization_base of the model),
// `int8` the compiled quantized plan; tensors are matched by name, in plan order.
std::vector<TensorError> quantization_error(const Graph& fp32, const Plan& int8, const CifarSet& images,
                                            ImageLayout layout, bool progress);

std::string quantization_error_text(const std::vector<TensorError>& errors);

}  // namespace octet
