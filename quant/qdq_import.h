// QDQ ONNX models -> octet's quantized IR (docs/quantization.md, "The quantized graph"):
// QuantizeLinear / DequantizeLinear pairs become Value::quant annotations on a float graph.
#pragma once
#include "graph/ir.h"

namespace octet::quant {

// Run right after import_onnx_*() and before prepare_graph(), whose constant folding would
// otherwise turn DequantizeLinear(weights) into plain floats. In order:
//  1. QLinearConv / QLinearMatMul become DequantizeLinear -> Conv / MatMul -> QuantizeLinear
//     (their int32 bias: DequantizeLinear at scale x_scale * w_scale, zero point 0).
//  2. DequantizeLinear of an initializer (uint8/int8 weights, int32 bias) becomes a float
//     constant holding the dequantized numbers, with `quant` set to the initializer's
//     parameters; its consumers read it directly. An ONNX Runtime name W_DequantizeLinear_Output
//     gets its weight's name W back.
//  3. QuantizeLinear(x) -> DequantizeLinear with the same parameters: x.quant is set, the pair
//     removed, and the consumers read x (graph inputs included). A DequantizeLinear that is a
//     graph output hands its name to x. The pair of a constant x becomes a fake-quantized
//     constant (step 2's form).
//  4. A Relu or Clip whose output is quantized, whose input is written by an operator with
//     quantized inputs and has no other reader: the input takes the output's parameters (the
//     Relu merged into its producer). Parameters the input had of its own (a pair of its own)
//     are replaced: one rounding fewer, as octet's fused int8 kernels compute it.
//  5. A quantized output of Conv, Gemm, MatMul or Add whose zero point is its type's minimum
//     gets its Relu back: QuantizeLinear clamps at real 0 there, which is where ONNX Runtime's
//     quantizer had merged the Relu away. Exact under QDQ semantics; the float graph then
//     computes what the QDQ model computes. The restored Relu reads a value named
//     "<output>_relu_input" (the file does not record the original name).
// Left as real operators (the reference executor runs them; the int8 engine does not): a
// QuantizeLinear whose output is read by something other than a DequantizeLinear, and a
// DequantizeLinear of a non-constant that no QuantizeLinear writes (an integer graph input or
// output), and Q/DQ nodes whose scale or zero point is computed at run time.
// Refused with octet::Error naming the node: per-axis or block parameters (octet's IR is per
// tensor), a pair whose QuantizeLinear and DequantizeLinear parameters differ, one value
// quantized twice with different parameters, a DequantizeLinear whose initializer's type
// differs from its zero point's, a QLinear op whose scales or zero points are not
// initializers, quantized types other than uint8/int8 (int32 for biases).
void recognise_qdq(Graph& graph);

}  // namespace octet::quant
