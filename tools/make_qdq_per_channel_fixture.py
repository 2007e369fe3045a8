#!/usr/bin/python3
"""Build tests/fixtures/qdq/per_channel_conv.onnx (used by tests/test_qdq_per_channel.cpp): a
QDQ model with per-channel weights as other tools write them (ONNX Runtime's quantize_static
with per_channel=True, TensorRT's and PyTorch's exporters): the weight's DequantizeLinear has
axis=0 and 1-D int8 scale / zero point, the bias's one 1-D int32 scale s_x * s_w[c].

    x -> QuantizeLinear -> DequantizeLinear -> Conv(3->5, 3x3, pad 1, stride 1)
      -> y_QuantizeLinear_Input -> QuantizeLinear -> DequantizeLinear -> y

The weights are random integers in [-127, 127] with channel scales spread over 2^-5..2^-1 (so
per-tensor parameters would be visibly worse), the activation scales exact powers of two.
Deterministic (numpy RandomState(15)). Run with Debian's interpreter (python3-onnx, numpy):
    /usr/bin/python3 tools/make_qdq_per_channel_fixture.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "tests", "fixtures", "qdq", "per_channel_conv.onnx"))

X_SCALE, X_ZERO = np.float32(1 / 64), np.uint8(128)   # x in [-2, 2)
Y_SCALE, Y_ZERO = np.float32(1 / 8), np.uint8(100)
W_SCALES = np.array([2.0 ** -5, 2.0 ** -1, 2.0 ** -3, 0.0123, 2.0 ** -2], np.float32)


def main():
    rng = np.random.RandomState(15)
    channels = len(W_SCALES)
    w_q = rng.randint(-127, 128, size=(channels, 3, 3, 3)).astype(np.int8)
    b_scales = (X_SCALE * W_SCALES).astype(np.float32)
    b_q = rng.randint(-3000, 3000, size=(channels,)).astype(np.int32)
    inits = [
        numpy_helper.from_array(w_q, "W_quantized"),
        numpy_helper.from_array(W_SCALES, "W_scale"),
        numpy_helper.from_array(np.zeros(channels, np.int8), "W_zero_point"),
        numpy_helper.from_array(b_q, "B_quantized"),
        numpy_helper.from_array(b_scales, "B_quantized_scale"),
        numpy_helper.from_array(np.zeros(channels, np.int32), "B_quantized_zero_point"),
        numpy_helper.from_array(np.array(X_SCALE, np.float32), "x_scale"),
        numpy_helper.from_array(np.array(X_ZERO, np.uint8), "x_zero_point"),
        numpy_helper.from_array(np.array(Y_SCALE, np.float32), "y_scale"),
        numpy_helper.from_array(np.array(Y_ZERO, np.uint8), "y_zero_point"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero_point"], ["x_QuantizeLinear_Output"],
                         name="x_QuantizeLinear"),
        helper.make_node("DequantizeLinear", ["x_QuantizeLinear_Output", "x_scale", "x_zero_point"],
                         ["x_DequantizeLinear_Output"], name="x_DequantizeLinear"),
        helper.make_node("DequantizeLinear", ["W_quantized", "W_scale", "W_zero_point"], ["W_DequantizeLinear_Output"],
                         name="W_DequantizeLinear", axis=0),
        helper.make_node("DequantizeLinear", ["B_quantized", "B_quantized_scale", "B_quantized_zero_point"], ["B"],
                         name="B_DequantizeLinear", axis=0),
        helper.make_node("Conv", ["x_DequantizeLinear_Output", "W_DequantizeLinear_Output", "B"],
                         ["y_QuantizeLinear_Input"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["y_QuantizeLinear_Input", "y_scale", "y_zero_point"],
                         ["y_QuantizeLinear_Output"], name="y_QuantizeLinear"),
        helper.make_node("DequantizeLinear", ["y_QuantizeLinear_Output", "y_scale", "y_zero_point"], ["y"],
                         name="y_DequantizeLinear"),
    ]
    graph = helper.make_graph(
        nodes, "per_channel_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 6, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", channels, 6, 7])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_qdq_per_channel_fixture")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, OUT)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
