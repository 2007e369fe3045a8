#!/usr/bin/python3
"""Writes single-operator QDQ models and their inputs for tests/ort_parity/parity.js, which
runs each in ONNX Runtime and in octet and counts the output codes that differ (issue 15:
the int8 conv and Gemm requantise as ONNX Runtime does, so the target is 0).

  /usr/bin/python3 tests/ort_parity/make_models.py OUT_DIR [--help]

Per model: M.onnx (float inputs -> QuantizeLinear/DequantizeLinear -> the operator on
DequantizeLinear'd int8 weights and int32 bias -> QuantizeLinear -> DequantizeLinear), one
NAME.npy per input (values on the input's quantization grid, so both engines quantize them
exactly), and manifest.json listing them with the output's scale and zero point.
Cases: Conv per tensor and per channel (odd channel counts, stride 2, asymmetric pads,
power-of-two scales that make rounding ties frequent), Gemm, and Conv + Add (the residual
block of a QDQ ResNet) with the conv as the Add's first and as its second input.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

if len(sys.argv) != 2 or sys.argv[1] in ('-h', '--help'):
    print(__doc__)
    sys.exit(0 if len(sys.argv) == 2 else 2)
out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
f32 = np.float32


class Builder:
    def __init__(self, rng):
        self.rng, self.nodes, self.inits, self.inputs, self.feeds = rng, [], [], [], {}

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def qdq(self, x, scale, zp, dtype=np.uint8, axis=None):
        """x -> QuantizeLinear -> DequantizeLinear; returns the float output."""
        s = self.const(x + '_s', np.asarray(scale, f32))
        z = self.const(x + '_z', np.asarray(zp, dtype))
        attrs = {} if axis is None else {'axis': axis}
        self.nodes.append(helper.make_node('QuantizeLinear', [x, s, z], [x + '_q'], **attrs))
        self.nodes.append(helper.make_node('DequantizeLinear', [x + '_q', s, z], [x + '_dq'], **attrs))
        return x + '_dq'

    def dq_const(self, name, codes, scale, zp=None, axis=None):
        """A DequantizeLinear of constant codes (weights int8, bias int32)."""
        ins = [self.const(name + '_q', codes), self.const(name + '_s', np.asarray(scale, f32))]
        if zp is not None: ins.append(self.const(name + '_z', np.asarray(zp, codes.dtype)))
        attrs = {} if axis is None else {'axis': axis}
        self.nodes.append(helper.make_node('DequantizeLinear', ins, [name], **attrs))
        return name

    def input(self, name, shape, scale, zp):
        """A float input whose values lie on the (scale, zp) uint8 grid, then its QDQ pair."""
        codes = self.rng.integers(0, 256, size=shape)
        self.feeds[name] = ((codes - zp).astype(f32) * f32(scale)).astype(f32)
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return self.qdq(name, scale, zp)

    def save(self, name, output, out_shape, y_scale, y_zp, manifest):
        y = self.qdq(output, y_scale, y_zp)
        self.nodes.append(helper.make_node('Identity', [y], ['y']))
        graph = helper.make_graph(self.nodes, name, self.inputs,
                                  [helper.make_tensor_value_info('y', TensorProto.FLOAT, list(out_shape))], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out_dir, name + '.onnx'))
        files = {}
        for k, v in self.feeds.items():
            files[k] = os.path.join(out_dir, f'{name}.{k}.npy')
            np.save(files[k], v)
        manifest.append({'name': name, 'model': os.path.join(out_dir, name + '.onnx'), 'inputs': files,
                         'scale': float(y_scale), 'zero_point': int(y_zp)})


def conv_weights(b, out_c, in_c, k, x_scale, per_channel, pow2):
    w = b.rng.integers(-127, 128, size=(out_c, in_c, k, k)).astype(np.int8)
    if per_channel:
        ws = (2.0 ** -b.rng.integers(5, 9, size=out_c)) if pow2 else b.rng.uniform(0.002, 0.02, size=out_c)
        ws = ws.astype(f32)
        wdq = b.dq_const('w', w, ws, np.zeros(out_c, np.int8), axis=0)
    else:
        ws = f32(2.0 ** -7) if pow2 else f32(b.rng.uniform(0.002, 0.02))
        wdq = b.dq_const('w', w, ws, np.int8(0))
    bias_scale = (f32(x_scale) * np.asarray(ws, f32)).astype(f32)   # float product, as quantizers write it
    bias = b.rng.integers(-3000, 3000, size=out_c).astype(np.int32)
    bdq = b.dq_const('b', bias, bias_scale, np.zeros_like(bias) if per_channel else np.int32(0), axis=0 if per_channel else None)
    return wdq, bdq, np.asarray(ws, f32)


def out_scale(x_scale, ws, taps, pow2):
    # About 2 codes of output per standard deviation of the accumulator: most codes in range.
    sd = 74.0 * 74.0 * np.sqrt(taps) * float(x_scale) * float(np.mean(ws))
    return f32(2.0 ** np.round(np.log2(sd / 40))) if pow2 else f32(sd / 40 * np.exp(0.3))


def conv_case(manifest, name, seed, in_c, out_c, hw, k, stride, pads, per_channel, pow2, residual=None):
    b = Builder(np.random.default_rng(seed))
    x_scale = f32(2.0 ** -4) if pow2 else f32(b.rng.uniform(0.01, 0.05))
    x_zp = int(b.rng.integers(100, 156))
    x = b.input('x', (1, in_c, hw, hw), x_scale, x_zp)
    wdq, bdq, ws = conv_weights(b, out_c, in_c, k, x_scale, per_channel, pow2)
    b.nodes.append(helper.make_node('Conv', [x, wdq, bdq], ['conv'], kernel_shape=[k, k], strides=[stride, stride],
                                    pads=pads))
    oh = (hw + pads[0] + pads[2] - k) // stride + 1
    ow = (hw + pads[1] + pads[3] - k) // stride + 1
    shape = (1, out_c, oh, ow)
    c_scale = out_scale(x_scale, ws, in_c * k * k, pow2)
    c_zp = int(b.rng.integers(90, 166))
    if residual is None:
        b.save(name, 'conv', shape, c_scale, c_zp, manifest)
        return
    c = b.qdq('conv', c_scale, c_zp)
    r = b.input('r', shape, f32(c_scale * f32(0.75)), int(b.rng.integers(60, 200)))
    ins = [c, r] if residual == 'conv_first' else [r, c]
    b.nodes.append(helper.make_node('Add', ins, ['sum']))
    b.save(name, 'sum', shape, f32(c_scale * f32(1.3)), int(b.rng.integers(60, 200)), manifest)


def gemm_case(manifest, name, seed, k, n, per_channel):
    b = Builder(np.random.default_rng(seed))
    x_scale = f32(b.rng.uniform(0.01, 0.05))
    x = b.input('x', (1, k), x_scale, int(b.rng.integers(100, 156)))
    w = b.rng.integers(-127, 128, size=(n, k)).astype(np.int8)
    if per_channel:
        ws = b.rng.uniform(0.002, 0.02, size=n).astype(f32)
        wdq = b.dq_const('w', w, ws, np.zeros(n, np.int8), axis=0)
    else:
        ws = f32(b.rng.uniform(0.002, 0.02))
        wdq = b.dq_const('w', w, ws, np.int8(0))
    bias_scale = (x_scale * np.asarray(ws, f32)).astype(f32)
    bias = b.rng.integers(-3000, 3000, size=n).astype(np.int32)
    bdq = b.dq_const('b', bias, bias_scale, np.zeros_like(bias) if per_channel else np.int32(0),
                     axis=0 if per_channel else None)
    b.nodes.append(helper.make_node('Gemm', [x, wdq, bdq], ['gemm'], transB=1))
    b.save(name, 'gemm', (1, n), out_scale(x_scale, np.asarray(ws), k, False), int(b.rng.integers(90, 166)), manifest)


manifest = []
for seed in range(3):
    for pc in (False, True):
        tag = 'pc' if pc else 'pt'
        conv_case(manifest, f'conv3x3_s1_{tag}_{seed}', 10 + seed, 19, 37, 23, 3, 1, [1, 1, 1, 1], pc, False)
        conv_case(manifest, f'conv3x3_s2_pads_{tag}_{seed}', 20 + seed, 16, 33, 24, 3, 2, [0, 1, 1, 0], pc, False)
        conv_case(manifest, f'conv1x1_{tag}_{seed}', 30 + seed, 64, 31, 12, 1, 1, [0, 0, 0, 0], pc, False)
        conv_case(manifest, f'conv3x3_ties_{tag}_{seed}', 40 + seed, 8, 17, 20, 3, 1, [1, 1, 1, 1], pc, True)
        conv_case(manifest, f'conv_stem_{tag}_{seed}', 50 + seed, 3, 16, 32, 3, 2, [1, 1, 1, 1], pc, False)
        gemm_case(manifest, f'gemm_{tag}_{seed}', 60 + seed, 257, 101, pc)
        for order in ('conv_first', 'conv_second'):
            conv_case(manifest, f'conv_add_{order}_{tag}_{seed}', 70 + seed, 24, 24, 16, 3, 1, [1, 1, 1, 1], pc,
                      False, residual=order)
            conv_case(manifest, f'conv_add_ties_{order}_{tag}_{seed}', 80 + seed, 8, 8, 16, 3, 1, [1, 1, 1, 1], pc,
                      True, residual=order)
with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
print(f'{len(manifest)} models in {out_dir}')
