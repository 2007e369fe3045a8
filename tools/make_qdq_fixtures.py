#!/usr/bin/python3
"""Build the QDQ test fixtures in tests/fixtures/qdq/ (used by tests/test_qdq.cpp).

ONNX Runtime's quantizer cannot run here (no Python onnxruntime: PyPI is unreachable), so
this script lays the models out by hand exactly as onnxruntime.quantization.quantize_static
does (onnxruntime/python/tools/quantization: qdq_quantizer.py, base_quantizer.py,
registry.py), with MinMax parameters computed from fixed "calibrated" ranges:

ort_qdq_u8s8.onnx -- QuantFormat.QDQ, activation_type QUInt8 (asymmetric), weight_type QInt8
  (symmetric, +-127), per tensor, opset 13. Float model:
      input -> Conv(3->4, 3x3, pad 1) -> Relu -> Conv(4->4, 3x3, pad 1) -> Add(., relu1) -> Relu
            -> GlobalAveragePool -> Reshape([-1, 4]) -> Gemm(4->10, transB) -> Softmax -> probs
  What the quantizer does with it, reproduced here:
  * every quantized tensor T gets T_QuantizeLinear -> T_QuantizeLinear_Output ->
    T_DequantizeLinear -> T_DequantizeLinear_Output with scalar initializers T_scale and
    T_zero_point; all readers share the one pair;
  * weights: W_quantized (int8), W_scale, W_zero_point -> W_DequantizeLinear ->
    W_DequantizeLinear_Output; biases: B_quantized (int32 at scale s_in*s_w),
    B_quantized_scale (shape [1]), B_quantized_zero_point (int32 scalar) ->
    B_DequantizeLinear -> B;
  * Relu (QDQRemovableActivation) is removed when its input has one reader: the producer
    writes the Relu's output, whose range starts at 0, so the zero point is 0;
  * Add, GlobalAveragePool, Softmax (QDQOperatorBase): inputs and output quantized, the
    Softmax output range forced to [0, 1];
  * Reshape (QDQDirect8BitOp): the output is quantized with its input's scale/zero point
    initializers;
  * the graph output `probs` is written as probs_QuantizeLinear_Input and the final
    DequantizeLinear produces `probs`.

ort_qoperator_u8.onnx -- QuantFormat.QOperator, QUInt8 activations and weights, opset 13:
      x -> QuantizeLinear -> QLinearConv(2->3, 3x3, pad 1, int32 bias; Relu merged: zero point 0)
        -> QLinearConv(3->2, 1x1) -> DequantizeLinear -> conv_out
      feat -> QuantizeLinear -> QLinearMatMul(b: uint8 [8, 5]) -> DequantizeLinear -> mm_out

Every activation range below has a width of 255 * 2^-k, so its scale is exact in float32
and float64 alike and the C++ test can recompute the parameters with quant/scheme.h.
Deterministic (numpy RandomState(0)). Run with Debian's interpreter (python3-onnx, numpy):
    /usr/bin/python3 tools/make_qdq_fixtures.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "tests", "fixtures", "qdq"))

# "Calibrated" ranges (min, max) of the activations, as MinMax calibration would report them
# after ORT's adjustments (a Relu's input takes its output's range; Softmax is [0, 1]).
RANGES = {
    "input": (-1.0, 127.0 / 128.0),                      # scale 1/128, zero point 128
    "/relu1/Relu_output_0": (0.0, 255.0 / 64.0),         # scale 1/64, zero point 0
    "/conv2/Conv_output_0": (-2.0, 255.0 / 32.0 - 2.0),  # scale 1/32, zero point 64
    "/relu2/Relu_output_0": (0.0, 255.0 / 32.0),         # scale 1/32, zero point 0
    "/pool/GlobalAveragePool_output_0": (0.0, 255.0 / 64.0),
    "logits": (-4.0, 255.0 / 16.0 - 4.0),                # scale 1/16, zero point 64
    "probs": (0.0, 1.0),                                 # scale 1/255, zero point 0
}


def asymmetric_u8(lo, hi):
    """ORT's compute_scale_zp for QUInt8, asymmetric (quant_utils.py)."""
    lo, hi = np.float32(min(lo, 0.0)), np.float32(max(hi, 0.0))
    scale = np.float32((hi - lo) / np.float32(255))
    zp = np.round(np.float32(0) - lo / scale)   # numpy rounds half to even
    return scale, np.uint8(np.clip(zp, 0, 255))


def symmetric_s8(w):
    """ORT's quantize_data for QInt8 weights: symmetric, range [-127, 127]."""
    absmax = np.float32(np.abs(w).max())
    scale = np.float32(np.float32(2) * absmax / np.float32(254))
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return scale, q


class Builder:
    def __init__(self):
        self.nodes, self.inits = [], []
        self.params = {}   # tensor -> (scale name, zero point name)

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))

    def node(self, op, inputs, outputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))

    def qdq(self, tensor, params_of=None, written_as=None, read_as=None):
        """QuantizeLinear -> DequantizeLinear after `tensor`; returns the name readers use."""
        if params_of is None:
            scale, zp = asymmetric_u8(*RANGES[tensor])
            self.init(tensor + "_scale", np.array(scale, dtype=np.float32))
            self.init(tensor + "_zero_point", np.array(zp, dtype=np.uint8))
            self.params[tensor] = (tensor + "_scale", tensor + "_zero_point")
        else:
            self.params[tensor] = self.params[params_of]
        s, z = self.params[tensor]
        read = read_as or tensor + "_DequantizeLinear_Output"
        self.node("QuantizeLinear", [written_as or tensor, s, z], [tensor + "_QuantizeLinear_Output"],
                  tensor + "_QuantizeLinear")
        self.node("DequantizeLinear", [tensor + "_QuantizeLinear_Output", s, z], [read], tensor + "_DequantizeLinear")
        return read

    def weight(self, name, w):
        scale, q = symmetric_s8(w)
        self.init(name + "_quantized", q)
        self.init(name + "_scale", np.array(scale, dtype=np.float32))
        self.init(name + "_zero_point", np.array(0, dtype=np.int8))
        out = name + "_DequantizeLinear_Output"
        self.node("DequantizeLinear", [name + "_quantized", name + "_scale", name + "_zero_point"], [out],
                  name + "_DequantizeLinear")
        return out, scale

    def bias(self, name, b, input_tensor, weight_scale):
        input_scale = np.float32(asymmetric_u8(*RANGES[input_tensor])[0])
        bias_scale = np.float32(input_scale * weight_scale)
        q = np.clip(np.round(b.astype(np.float64) / np.float64(bias_scale)), -2**31, 2**31 - 1).astype(np.int32)
        self.init(name + "_quantized", q)
        self.init(name + "_quantized_scale", np.array([bias_scale], dtype=np.float32))
        self.inits.append(helper.make_tensor(name + "_quantized_zero_point", TensorProto.INT32, [], [0]))
        self.node("DequantizeLinear", [name + "_quantized", name + "_quantized_scale", name + "_quantized_zero_point"],
                  [name], name + "_DequantizeLinear")
        return name


def ort_qdq_u8s8(rng):
    b = Builder()
    x = b.qdq("input")
    w1, s1 = b.weight("conv1.weight", rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32))
    b1 = b.bias("conv1.bias", rng.normal(0, 0.2, 4).astype(np.float32), "input", s1)
    # Relu removed: Conv writes the Relu's output.
    b.node("Conv", [x, w1, b1], ["/relu1/Relu_output_0"], "/conv1/Conv", pads=[1, 1, 1, 1])
    r1 = b.qdq("/relu1/Relu_output_0")
    w2, s2 = b.weight("conv2.weight", rng.normal(0, 0.2, (4, 4, 3, 3)).astype(np.float32))
    b2 = b.bias("conv2.bias", rng.normal(0, 0.2, 4).astype(np.float32), "/relu1/Relu_output_0", s2)
    b.node("Conv", [r1, w2, b2], ["/conv2/Conv_output_0"], "/conv2/Conv", pads=[1, 1, 1, 1])
    c2 = b.qdq("/conv2/Conv_output_0")
    b.node("Add", [c2, r1], ["/relu2/Relu_output_0"], "/Add")
    r2 = b.qdq("/relu2/Relu_output_0")
    b.node("GlobalAveragePool", [r2], ["/pool/GlobalAveragePool_output_0"], "/pool/GlobalAveragePool")
    p = b.qdq("/pool/GlobalAveragePool_output_0")
    b.init("/Constant_output_0", np.array([-1, 4], dtype=np.int64))
    b.node("Reshape", [p, "/Constant_output_0"], ["/Reshape_output_0"], "/Reshape")
    f = b.qdq("/Reshape_output_0", params_of="/pool/GlobalAveragePool_output_0")
    wf, sf = b.weight("fc.weight", rng.normal(0, 0.5, (10, 4)).astype(np.float32))
    bf = b.bias("fc.bias", rng.normal(0, 0.2, 10).astype(np.float32), "/pool/GlobalAveragePool_output_0", sf)
    b.node("Gemm", [f, wf, bf], ["logits"], "/fc/Gemm", alpha=1.0, beta=1.0, transB=1)
    lg = b.qdq("logits")
    b.node("Softmax", [lg], ["probs_QuantizeLinear_Input"], "/Softmax", axis=1)
    b.qdq("probs", written_as="probs_QuantizeLinear_Input", read_as="probs")

    graph = helper.make_graph(
        b.nodes, "torch_jit",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])], b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="onnx.quantize", producer_version="0.1.0")
    model.ir_version = 7
    return model


def ort_qoperator_u8(rng):
    b = Builder()

    def qparams(name, lo, hi):
        scale, zp = asymmetric_u8(lo, hi)
        b.init(name + "_scale", np.array(scale, dtype=np.float32))
        b.init(name + "_zero_point", np.array(zp, dtype=np.uint8))
        return name + "_scale", name + "_zero_point", scale

    def u8_weight(name, w):
        scale, zp = asymmetric_u8(float(w.min()), float(w.max()))
        q = np.clip(np.rint(w / scale) + zp, 0, 255).astype(np.uint8)
        b.init(name + "_quantized", q)
        b.init(name + "_scale", np.array(scale, dtype=np.float32))
        b.init(name + "_zero_point", np.array(zp, dtype=np.uint8))
        return name + "_quantized", name + "_scale", name + "_zero_point", scale

    xs, xz, x_scale = qparams("x", -1.0, 127.0 / 128.0)
    b.node("QuantizeLinear", ["x", xs, xz], ["x_quantized"], "x_QuantizeLinear")
    w1, w1s, w1z, w1_scale = u8_weight("conv1.weight", rng.normal(0, 0.3, (3, 2, 3, 3)).astype(np.float32))
    bias = np.round(rng.normal(0, 0.2, 3).astype(np.float64) / np.float64(np.float32(x_scale * w1_scale)))
    b.init("conv1.bias_quantized", bias.astype(np.int32))
    ys, yz, y_scale = qparams("relu1_out", 0.0, 255.0 / 64.0)
    b.node("QLinearConv", ["x_quantized", xs, xz, w1, w1s, w1z, ys, yz, "conv1.bias_quantized"],
           ["relu1_out_quantized"], "conv1_quant", pads=[1, 1, 1, 1])
    w2, w2s, w2z, _ = u8_weight("conv2.weight", rng.normal(0, 0.3, (2, 3, 1, 1)).astype(np.float32))
    cs, cz, _ = qparams("conv_out", -2.0, 255.0 / 32.0 - 2.0)
    b.node("QLinearConv", ["relu1_out_quantized", ys, yz, w2, w2s, w2z, cs, cz], ["conv_out_quantized"],
           "conv2_quant")
    b.node("DequantizeLinear", ["conv_out_quantized", cs, cz], ["conv_out"], "conv_out_DequantizeLinear")

    fs, fz, _ = qparams("feat", -2.0, 255.0 / 64.0 - 2.0)
    b.node("QuantizeLinear", ["feat", fs, fz], ["feat_quantized"], "feat_QuantizeLinear")
    mw, mws, mwz, _ = u8_weight("mm.weight", rng.normal(0, 0.5, (8, 5)).astype(np.float32))
    ms, mz, _ = qparams("mm_out", -4.0, 255.0 / 16.0 - 4.0)
    b.node("QLinearMatMul", ["feat_quantized", fs, fz, mw, mws, mwz, ms, mz], ["mm_out_quantized"], "mm_quant")
    b.node("DequantizeLinear", ["mm_out_quantized", ms, mz], ["mm_out"], "mm_out_DequantizeLinear")

    graph = helper.make_graph(
        b.nodes, "qoperator",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 4, 4]),
         helper.make_tensor_value_info("feat", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("conv_out", TensorProto.FLOAT, ["N", 2, 4, 4]),
         helper.make_tensor_value_info("mm_out", TensorProto.FLOAT, ["N", 5])], b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="onnx.quantize", producer_version="0.1.0")
    model.ir_version = 7
    return model


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    rng = np.random.RandomState(0)
    for name, build in (("ort_qdq_u8s8.onnx", ort_qdq_u8s8), ("ort_qoperator_u8.onnx", ort_qoperator_u8)):
        model = build(rng)
        onnx.checker.check_model(model, full_check=True)
        path = os.path.join(OUT_DIR, name)
        onnx.save(model, path)
        print(f"{path}: {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
