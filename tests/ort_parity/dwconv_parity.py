#!/usr/bin/python3
"""octet and ONNX Runtime 1.30 on single-operator QDQ depthwise convolutions, code for code.

Writes small QDQ models (QuantizeLinear -> DequantizeLinear -> depthwise Conv (group = C) with
int8 weights (per tensor or per channel) and an int32 bias -> [Relu | Clip(0, 6)] ->
QuantizeLinear -> DequantizeLinear), 3x3 and 5x5, stride 1 and 2, symmetric and asymmetric
pads, a dilation, odd channel counts, random scales and codes; inputs lie on the input grid so
that the first QuantizeLinear is exact. Runs each in ONNX Runtime (dwconv_parity.js, which
fuses the QDQ pattern into its int8 QLinearConv) and in octet (build/tools/octet-run, on each
ISA cap given), checks that octet's plan runs it on a qu8_dwconv kernel, and counts the
output codes (output / scale + zero point) that differ. Exit status 1 if any differs.

  /usr/bin/python3 tests/ort_parity/dwconv_parity.py [--isa vnni,avx2,sse2] [--keep DIR] [--tools DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def depthwise_reference(x, w, b, stride, pads, dilation):
    """Float64 depthwise conv, NCHW; pads = [top, left, bottom, right]."""
    n, c, h, wd = x.shape
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    span = (k - 1) * dilation + 1
    oh = (xp.shape[2] - span) // stride + 1
    ow = (xp.shape[3] - span) // stride + 1
    y = np.zeros((n, c, oh, ow)) + b[None, :, None, None]
    for kh in range(k):
        for kw in range(k):
            rows = xp[:, :, kh * dilation:kh * dilation + (oh - 1) * stride + 1:stride,
                      kw * dilation:kw * dilation + (ow - 1) * stride + 1:stride]
            y += rows * w[None, :, 0, kh, kw, None, None]
    return y


def make_case(rng, name, channels, k, stride, pads, dilation, per_channel, activation, weight_zp, ties=False):
    """A model and its input; returns (model, input, output scale, output zero point). ties: power-of-two
    scales, s_x * s_w / s_y = 2^-10 or 2^-11, so that 1 accumulator in 1024 or 2048 lands on a tie."""
    n, h, w_ = 4, 33, 31
    x_zp = int(rng.integers(0, 256))
    x_codes = rng.integers(0, 256, size=(n, channels, h, w_))
    w_codes = rng.integers(-127, 128, size=(channels, 1, k, k)).astype(np.int8)
    w_scale = (rng.uniform(0.002, 0.02, size=channels) if per_channel else np.array([rng.uniform(0.002, 0.02)]))
    if ties:
        w_scale = np.exp2(-7.0 - (np.arange(channels) % 2 if per_channel else np.zeros(1)))
    w_scale = w_scale.astype(np.float32)
    b_codes = rng.integers(-20000, 20000, size=channels).astype(np.int32)
    w_zp = np.full(w_scale.shape, weight_zp, dtype=np.int8)
    ws_c = np.broadcast_to(w_scale, (channels,)).astype(np.float64)
    # The output is linear in the input scale (the bias' scale is s_in * s_w): Y at s_in = 1.
    Y = depthwise_reference((x_codes - x_zp).astype(np.float64),
                            (w_codes.astype(np.float64) - weight_zp) * ws_c[:, None, None, None],
                            b_codes * ws_c, stride, pads, dilation)
    if ties:
        x_scale, y_scale, y_zp = np.float32(2.0 ** -6), np.float32(2.0 ** -3), 128
    elif activation == 'clip':
        x_scale = np.float32(10.0 / np.abs(Y).max())   # outputs across [-10, 10], clipped to [0, 6]
        y_scale, y_zp = np.float32(6.0 / 255), 0
    else:
        x_scale = np.float32(rng.uniform(0.01, 0.05))
        y = Y * float(x_scale)
        lo = 0.0 if activation == 'relu' else y.min()
        y_scale = np.float32((y.max() - lo) / 255 * rng.uniform(0.6, 1.0))   # a few codes saturate
        y_zp = 0 if activation == 'relu' else int(np.clip(round(-lo / float(y_scale)), 0, 255))
    b_scale = (x_scale * w_scale).astype(np.float32)   # float products, as ONNX Runtime's quantizer
    x = ((x_codes - x_zp) * x_scale).astype(np.float32)

    inits = [
        numpy_helper.from_array(np.array(x_scale, np.float32), 'x_scale'),
        numpy_helper.from_array(np.array(x_zp, np.uint8), 'x_zp'),
        numpy_helper.from_array(w_codes, 'w_q'),
        numpy_helper.from_array(w_scale if per_channel else w_scale.reshape(()), 'w_scale'),
        numpy_helper.from_array(w_zp if per_channel else w_zp.reshape(()), 'w_zp'),
        numpy_helper.from_array(b_codes, 'b_q'),
        numpy_helper.from_array(b_scale if per_channel else b_scale.reshape(()), 'b_scale'),
        numpy_helper.from_array(np.zeros(b_scale.shape if per_channel else (), np.int32), 'b_zp'),
        numpy_helper.from_array(np.array(y_scale, np.float32), 'y_scale'),
        numpy_helper.from_array(np.array(y_zp, np.uint8), 'y_zp'),
    ]
    nodes = [
        helper.make_node('QuantizeLinear', ['x', 'x_scale', 'x_zp'], ['x_q']),
        helper.make_node('DequantizeLinear', ['x_q', 'x_scale', 'x_zp'], ['x_dq']),
        helper.make_node('DequantizeLinear', ['w_q', 'w_scale', 'w_zp'], ['w_dq'], axis=0),
        helper.make_node('DequantizeLinear', ['b_q', 'b_scale', 'b_zp'], ['b_dq'], axis=0),
        helper.make_node('Conv', ['x_dq', 'w_dq', 'b_dq'], ['conv'], group=channels, kernel_shape=[k, k],
                         strides=[stride, stride], pads=pads, dilations=[dilation, dilation]),
    ]
    last = 'conv'
    if activation == 'relu':
        nodes.append(helper.make_node('Relu', ['conv'], ['act']))
        last = 'act'
    elif activation == 'clip':
        inits += [numpy_helper.from_array(np.array(0, np.float32), 'clip_lo'),
                  numpy_helper.from_array(np.array(6, np.float32), 'clip_hi')]
        nodes.append(helper.make_node('Clip', ['conv', 'clip_lo', 'clip_hi'], ['act']))
        last = 'act'
    nodes += [helper.make_node('QuantizeLinear', [last, 'y_scale', 'y_zp'], ['y_q']),
              helper.make_node('DequantizeLinear', ['y_q', 'y_scale', 'y_zp'], ['y'])]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, list(x.shape))],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, list(Y.shape))], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, x, float(y_scale), y_zp


def cases():
    for k in (3, 5):
        for stride in (1, 2):
            for pads in ([k // 2] * 4, [0, 1, k - 1, 0]):
                for per_channel in (False, True):
                    yield dict(channels=37, k=k, stride=stride, pads=pads, dilation=1, per_channel=per_channel,
                               activation='none', weight_zp=0)
    for activation in ('relu', 'clip'):
        for per_channel in (False, True):
            yield dict(channels=37, k=3, stride=1, pads=[1] * 4, dilation=1, per_channel=per_channel,
                       activation=activation, weight_zp=0)
    yield dict(channels=64, k=3, stride=2, pads=[1] * 4, dilation=1, per_channel=True, activation='relu', weight_zp=0)
    yield dict(channels=19, k=3, stride=1, pads=[2] * 4, dilation=2, per_channel=False, activation='none', weight_zp=0)
    yield dict(channels=37, k=3, stride=1, pads=[1] * 4, dilation=1, per_channel=False, activation='none', weight_zp=5)
    yield dict(channels=37, k=5, stride=2, pads=[2] * 4, dilation=1, per_channel=False, activation='relu', weight_zp=-3)
    for per_channel in (False, True):   # ties: octet's former round-half-up fixed point differs on half of them
        yield dict(channels=37, k=3, stride=1, pads=[1] * 4, dilation=1, per_channel=per_channel, activation='none',
                   weight_zp=0, ties=True)


def codes(y, scale, zp):
    return np.rint(y.astype(np.float64) / scale).astype(np.int64) + zp


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--isa', default='vnni,avx2,sse2', help='OCTET_ISA caps to run octet with (comma separated)')
    ap.add_argument('--keep', help='write the models and outputs to this folder (default: a temporary one)')
    ap.add_argument('--seed', type=int, default=15)
    ap.add_argument('--tools', default=os.path.join(ROOT, 'build', 'tools'),
                    help="the folder of octet's octet-run and octet-inspect (default: this tree's build/tools)")
    args = ap.parse_args()
    run = os.path.join(args.tools, 'octet-run')
    inspect = os.path.join(args.tools, 'octet-inspect')
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix='octet-dwconv-parity-')
    d = args.keep or tmp.name
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    meta = {}
    for i, c in enumerate(cases()):
        name = 'dw%02d_k%d_s%d_%s_c%d%s%s' % (i, c['k'], c['stride'], 'pc' if c['per_channel'] else 'pt', c['channels'],
                                             '' if c['activation'] == 'none' else '_' + c['activation'],
                                             '_zw%d' % c['weight_zp'] if c['weight_zp'] else '') + \
            ('_ties' if c.get('ties') else '')
        model, x, scale, zp = make_case(rng, name, **c)
        onnx.save(model, os.path.join(d, name + '.onnx'))
        np.save(os.path.join(d, name + '.input.npy'), x)
        meta[name] = (scale, zp, c)
    subprocess.run(['node', os.path.join(ROOT, 'tests', 'ort_parity', 'dwconv_parity.js'), d, *meta], check=True)
    total_diff = total = 0
    for name, (scale, zp, c) in meta.items():
        model = os.path.join(d, name + '.onnx')
        plan = subprocess.run([inspect, model, '--plan'], check=True, capture_output=True, text=True).stdout
        if 'qu8_dwconv' not in plan:
            sys.exit(f'{name}: octet did not run the conv on a qu8_dwconv kernel:\n{plan}')
        want = codes(np.load(os.path.join(d, name + '.ort.npy')), scale, zp)
        line = []
        for isa in args.isa.split(','):
            out = os.path.join(d, name + '.' + isa)
            res = subprocess.run([run, '--model', model, '--input', 'x=' + os.path.join(d, name + '.input.npy'),
                                  '--output-dir', out, '--json'], check=True, capture_output=True, text=True,
                                 env=dict(os.environ, OCTET_ISA=isa))
            json.loads(res.stdout)
            got = codes(np.load(os.path.join(out, 'y.npy')), scale, zp)
            if got.shape != want.shape:
                sys.exit(f'{name}: octet output {got.shape}, ONNX Runtime {want.shape}')
            diff = int((got != want).sum())
            total_diff += diff
            total += want.size
            line.append(f'{isa} {diff}')
        print(f'{name:28s} {want.size:6d} codes, differing: ' + ', '.join(line) +
              f'  (max |d| {int(np.abs(got - want).max())})')
    print(f'total: {total_diff} of {total} codes differ')
    return 1 if total_diff else 0


if __name__ == '__main__':
    sys.exit(main())
