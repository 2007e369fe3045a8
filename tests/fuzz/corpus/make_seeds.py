#!/usr/bin/env python3
"""Writes the committed fuzz seeds (run with Debian's /usr/bin/python3, which has onnx).

tools/octet-fuzz adds the larger seeds at run time instead of committing copies:
data/resnet8*.onnx, tests/fixtures/onnx/*.onnx, the ONNX conformance models and
tests/fixtures/cifar/*.pkl. The seeds here cover what those do not: tiny CNNs that the
optimised runtime compiles (so mutations reach compile_plan and Session::run quickly) and
a few CIFAR binary records.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def init(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name)


def save(model, name):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "fuzz_onnx_import", name))


def convnet_nchw():
    """Conv-BN-Relu, residual Add, MaxPool, GlobalAveragePool, Flatten, Gemm, Softmax."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "s", "bb", "m", "v"], ["n1"]),
        helper.make_node("Relu", ["n1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "r1"], ["a"]),
        helper.make_node("Relu", ["a"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["y"], axis=1),
    ]
    inits = [init("w1", 4, 3, 3, 3), init("b1", 4), init("s", 4), init("bb", 4), init("m", 4),
             numpy_helper.from_array(np.ones(4, np.float32), "v"), init("w2", 4, 4, 3, 3),
             init("wf", 10, 4), init("bf", 10)]
    g = helper.make_graph(nodes, "convnet_nchw",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], inits)
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "convnet_nchw.onnx")


def convnet_nhwc():
    """The tf2onnx shape of resnet8: NHWC input, Transpose, Pad, strided Conv, AveragePool, MatMul+Add."""
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
        helper.make_node("Pad", ["t", "pads"], ["pd"], mode="constant"),
        helper.make_node("Conv", ["pd", "w1", "b1"], ["c1"], strides=[2, 2]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"]),
        helper.make_node("AveragePool", ["c2"], ["p"], kernel_shape=[4, 4]),
        helper.make_node("Reshape", ["p", "shape"], ["f"]),
        helper.make_node("MatMul", ["f", "wm"], ["mm"]),
        helper.make_node("Add", ["mm", "bm"], ["y"]),
    ]
    inits = [numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"),
             init("w1", 4, 3, 3, 3), init("b1", 4),
             numpy_helper.from_array(np.array(0, np.float32), "lo"),
             numpy_helper.from_array(np.array(6, np.float32), "hi"),
             init("w2", 8, 4, 1, 1), init("b2", 8),
             numpy_helper.from_array(np.array([-1, 8], np.int64), "shape"),
             init("wm", 8, 10), init("bm", 10)]
    g = helper.make_graph(nodes, "convnet_nhwc",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8, 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "convnet_nhwc.onnx")


def cifar_records():
    out = os.path.join(HERE, "fuzz_cifar_binary")
    pixels = rng.integers(0, 256, size=(3, 3072), dtype=np.uint8)
    recs = [bytes([label]) + pixels[i].tobytes() for i, label in enumerate([3, 9, 0])]
    with open(os.path.join(out, "three_records.bin"), "wb") as f:
        f.write(b"".join(recs))
    with open(os.path.join(out, "one_record.bin"), "wb") as f:
        f.write(recs[0])
    with open(os.path.join(out, "bad_label.bin"), "wb") as f:
        f.write(bytes([10]) + recs[0][1:])
    with open(os.path.join(out, "truncated.bin"), "wb") as f:
        f.write(recs[0] + recs[1][:100])


convnet_nchw()
convnet_nhwc()
cifar_records()
