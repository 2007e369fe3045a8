#!/usr/bin/python3
"""Writes the hostile models of tests/hostile/run_hostile.sh into a folder: each is CIFAR-shaped
(input [N,3,32,32] float, first output [N,10]) so that every tool takes it. One model per class
of issue 17: memory and cost beyond the default limits (docs/limits.md), QDQ pairs before a float
consumer (with degenerate scales), windows entirely in padding, Slice at the int64 extremes,
nodes the ONNX spec makes invalid, and u8s8 quantization of denormal weights.

usage: make_hostile.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def head(nodes, inits, tensor, channels):
    """GlobalAveragePool -> Flatten -> Gemm to 10 scores, so the model's output is [N,10]."""
    nodes += [
        helper.make_node("GlobalAveragePool", [tensor], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["scores"], name="fc"),
    ]
    inits += [numpy_helper.from_array(np.full((channels, 10), 0.01, np.float32), "fc_w"),
              numpy_helper.from_array(np.zeros(10, np.float32), "fc_b")]


def model(name, nodes, inits, output_shape=("N", 10), input_shape=("N", 3, 32, 32)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))
    y = helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, list(output_shape))
    graph = helper.make_graph(nodes, name, [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


def constant_of_shape_from_pixel():
    # [(pixel + 64) * 2^24, 10] floats (at least 40 GiB) sized by the first image's top-left
    # pixel: Slice -> Reshape -> Add -> Mul -> Cast -> Concat -> ConstantOfShape.
    nodes = [
        helper.make_node("Slice", ["x", "zeros", "ones"], ["pixel"], name="slice"),
        helper.make_node("Reshape", ["pixel", "one"], ["pixel1"], name="reshape"),
        helper.make_node("Add", ["pixel1", "offset"], ["shifted"], name="shift"),
        helper.make_node("Mul", ["shifted", "scale"], ["rows_f"], name="scale"),
        helper.make_node("Cast", ["rows_f"], ["rows"], name="cast", to=TensorProto.INT64),
        helper.make_node("Concat", ["rows", "ten"], ["shape"], name="concat", axis=0),
        helper.make_node("ConstantOfShape", ["shape"], ["fill"], name="fill"),
    ]
    inits = [numpy_helper.from_array(np.zeros(4, np.int64), "zeros"),
             numpy_helper.from_array(np.ones(4, np.int64), "ones"),
             numpy_helper.from_array(np.array([1], np.int64), "one"),
             numpy_helper.from_array(np.array(64.0, np.float32), "offset"),
             numpy_helper.from_array(np.array(2.0**24, np.float32), "scale"),
             numpy_helper.from_array(np.array([10], np.int64), "ten")]
    return model("constant_of_shape_from_pixel", nodes, inits, output_shape=(None, 10))


def conv_huge_pads():
    # Kernel 2x2 dilated 16384 with pads 16384: a [2, 16416, 16416] output (2 GiB per image).
    nodes = [helper.make_node("Conv", ["x", "w"], ["big"], name="conv", dilations=[16384, 16384],
                              pads=[16384] * 4)]
    inits = [numpy_helper.from_array(np.full((2, 3, 2, 2), 0.1, np.float32), "w")]
    head(nodes, inits, "big", 2)
    return model("conv_huge_pads", nodes, inits)


def maxpool_2p20():
    # A 2^20 x 1 window with pads 2^20 - 1: 1.1e14 comparisons per image.
    nodes = [helper.make_node("MaxPool", ["x"], ["pooled"], name="pool", kernel_shape=[1 << 20, 1],
                              pads=[(1 << 20) - 1, 0, (1 << 20) - 1, 0])]
    inits = []
    head(nodes, inits, "pooled", 3)
    return model("maxpool_2p20", nodes, inits)


def conv_3p5e12_macs():
    # A 1024x1024 kernel with pads 1023 (each window keeps an input pixel): a 1055x1055 output
    # of 3 * 2^20 multiply-accumulates each, 3.5e12 per image (class 4; 12 MB of weights).
    nodes = [helper.make_node("Conv", ["x", "w"], ["conv_out"], name="conv", kernel_shape=[1024, 1024],
                              pads=[1023] * 4)]
    inits = [numpy_helper.from_array(np.full((1, 3, 1024, 1024), 1e-6, np.float32), "w")]
    head(nodes, inits, "conv_out", 1)
    return model("conv_3p5e12_macs", nodes, inits)


def qdq_before_float(scale):
    # Transpose -> QuantizeLinear -> DequantizeLinear -> GlobalAveragePool -> ... -> Softmax: the
    # pair's consumer runs in float, so the optimised runtime must quantize exactly as the
    # reference does (issue 17, class 1), also at scales whose 1/scale under- or overflows.
    # NHWC input, as in the example: the Transpose is the NHWC -> NCHW one.
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="transpose", perm=[0, 3, 1, 2]),
             helper.make_node("QuantizeLinear", ["xt", "q_scale", "q_zp"], ["xq"], name="quant"),
             helper.make_node("DequantizeLinear", ["xq", "q_scale", "q_zp"], ["xd"], name="dequant")]
    inits = [numpy_helper.from_array(np.array(scale, np.float32), "q_scale"),
             numpy_helper.from_array(np.array(0, np.uint8), "q_zp")]
    head(nodes, inits, "xd", 3)
    # Distinct weights per class so that the probabilities depend on each channel's mean.
    inits[-2] = numpy_helper.from_array(
        (np.arange(30, dtype=np.float32).reshape(3, 10) - 15) * 1e-3, "fc_w")
    nodes.append(helper.make_node("Softmax", ["scores"], ["probs"], name="softmax", axis=1))
    return model("qdq_before_float", nodes, inits, input_shape=("N", 32, 32, 3))


def qdq_scale_half():
    return qdq_before_float(0.5)


def qdq_scale_1e_45():
    return qdq_before_float(1e-45)


def qdq_scale_3e38():
    return qdq_before_float(3e38)


def maxpool_pad_only():
    # Kernel 2x2 with pads 2: the corner windows lie entirely in padding (class 5).
    nodes = [helper.make_node("MaxPool", ["x"], ["pooled"], name="pool", kernel_shape=[2, 2],
                              pads=[2, 2, 2, 2])]
    inits = []
    head(nodes, inits, "pooled", 3)
    return model("maxpool_pad_only", nodes, inits)


def averagepool_pad_only():
    nodes = [helper.make_node("AveragePool", ["x"], ["pooled"], name="pool", kernel_shape=[3, 3],
                              pads=[3, 3, 3, 3])]
    inits = []
    head(nodes, inits, "pooled", 3)
    return model("averagepool_pad_only", nodes, inits)


def conv_pad_only():
    nodes = [helper.make_node("Conv", ["x", "w"], ["conv_out"], name="conv", kernel_shape=[3, 3],
                              pads=[4, 4, 4, 4])]
    inits = [numpy_helper.from_array(np.full((4, 3, 3, 3), 0.01, np.float32), "w")]
    head(nodes, inits, "conv_out", 4)
    return model("conv_pad_only", nodes, inits)


INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


def slice_extreme_steps():
    # Slice axis 2 (H) with step INT64_MAX from start INT64_MIN (clamped to 0): one row; axis 3
    # (W) with step INT64_MIN from start INT64_MAX (clamped to the last column) to end INT64_MIN
    # (before the first): one column. ONNX Runtime runs it (issue 17, class 6).
    nodes = [helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["sliced"],
                              name="slice")]
    inits = [numpy_helper.from_array(np.array([INT64_MIN, INT64_MAX], np.int64), "starts"),
             numpy_helper.from_array(np.array([INT64_MAX, INT64_MIN], np.int64), "ends"),
             numpy_helper.from_array(np.array([2, 3], np.int64), "axes"),
             numpy_helper.from_array(np.array([INT64_MAX, INT64_MIN], np.int64), "steps")]
    head(nodes, inits, "sliced", 3)
    return model("slice_extreme_steps", nodes, inits)


def slice_extreme_steps_constant():
    # The same extremes on a constant: the Gemm's bias is Slice(step INT64_MIN, last element) +
    # Slice(step INT64_MAX, first element), shape [1], which preparation folds, so the optimised
    # runtime runs the model too and must equal the reference.
    nodes = [helper.make_node("Slice", ["bias_src", "max1", "min1", "axis0", "min1"], ["last"],
                              name="slice_last"),
             helper.make_node("Slice", ["bias_src", "min1", "max1", "axis0", "max1"], ["first"],
                              name="slice_first"),
             helper.make_node("Add", ["last", "first"], ["bias"], name="bias_add"),
             helper.make_node("GlobalAveragePool", ["x"], ["gap"], name="gap"),
             helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
             helper.make_node("Gemm", ["flat", "fc_w", "bias"], ["scores"], name="fc")]
    inits = [numpy_helper.from_array(np.arange(1, 6, dtype=np.float32), "bias_src"),
             numpy_helper.from_array(np.array([INT64_MAX], np.int64), "max1"),
             numpy_helper.from_array(np.array([INT64_MIN], np.int64), "min1"),
             numpy_helper.from_array(np.array([0], np.int64), "axis0"),
             numpy_helper.from_array((np.arange(30, dtype=np.float32).reshape(3, 10) - 15) * 1e-3,
                                     "fc_w")]
    return model("slice_extreme_steps_constant", nodes, inits)


def add_three_inputs():
    # Add takes exactly two inputs (class 7): both executors must refuse a third.
    nodes = [helper.make_node("Add", ["x", "bias", "bias"], ["added"], name="add3")]
    inits = [numpy_helper.from_array(np.ones((1, 3, 1, 1), np.float32), "bias")]
    head(nodes, inits, "added", 3)
    return model("add_three_inputs", nodes, inits)


def maxpool_storage_order_5():
    # storage_order is 0 (row major) or 1 (column major); 5 is invalid (class 7).
    nodes = [helper.make_node("MaxPool", ["x"], ["pooled"], name="pool", kernel_shape=[2, 2],
                              strides=[2, 2], storage_order=5)]
    inits = []
    head(nodes, inits, "pooled", 3)
    return model("maxpool_storage_order_5", nodes, inits)


def conv_denormal_weights():
    # A float Conv whose weights are all denormal floats: quantized u8s8 (per-tensor int8
    # weights), the weight scale itself is denormal (class 5, last sentence).
    rng = np.random.default_rng(17)
    w = (rng.uniform(-1, 1, (8, 3, 3, 3)) * 1e-39).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["conv_out"], name="conv", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["conv_out"], ["relu_out"], name="relu")]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.zeros(8, np.float32), "b")]
    head(nodes, inits, "relu_out", 8)
    return model("conv_denormal_weights", nodes, inits)


# Models an ONNX checker would refuse: octet must refuse them too, so they are written unchecked.
INVALID = (add_three_inputs, maxpool_storage_order_5)
VALID = (constant_of_shape_from_pixel, conv_huge_pads, maxpool_2p20, conv_3p5e12_macs,
         qdq_scale_half, qdq_scale_1e_45, qdq_scale_3e38, maxpool_pad_only, averagepool_pad_only,
         conv_pad_only, slice_extreme_steps, slice_extreme_steps_constant, conv_denormal_weights)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for make in VALID + INVALID:
        m = make()
        if make not in INVALID:
            onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, make.__name__ + ".onnx"))


if __name__ == "__main__":
    main()
