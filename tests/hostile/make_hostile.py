#!/usr/bin/python3
"""Writes the hostile models of tests/hostile/run_hostile.sh into a folder: each is CIFAR-shaped
(input [N,3,32,32] float, first output [N,10]) so that every tool takes it, and each asks for
far more memory or arithmetic than the default limits allow (docs/limits.md).

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


def model(name, nodes, inits, output_shape=("N", 10)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])
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


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for make in (constant_of_shape_from_pixel, conv_huge_pads, maxpool_2p20):
        m = make()
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, make.__name__ + ".onnx"))


if __name__ == "__main__":
    main()
