#!/usr/bin/python3
"""Single-operator QDQ models of MaxPool and Concat (issue 15) for the ONNX Runtime parity check.

Writes into OUT_DIR one model per case, its input (.npy, float32, 7 rows: batch 1 runs row by
row in ORT, octet runs all 7 at once) and manifest.json (model, input, output scale and zero
point). Every model is x -> ... -> QuantizeLinear -> DequantizeLinear -> y, so y / scale + zp
is the output code. Cases: MaxPool with the output's parameters equal to the input's (ONNX
Runtime then drops the pair and runs its uint8 MaxPool) and different ones (a float MaxPool
between DQ and Q), kernel sizes 1 to 3, strides 1 and 2, asymmetric pads, dilation, ceil_mode,
odd channel counts; Concat along channels of 2 and 3 inputs (x sliced in float, each part with
its own parameters, one sharing the output's), also fed by MaxPools as in SqueezeNet.

  /usr/bin/python3 tests/ort_parity/maxpool_concat_parity.py OUT_DIR
  node tests/ort_parity/maxpool_concat_parity.js OUT_DIR     # then compares octet and ORT
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def qdq(nodes, inits, x, name, scale, zp):
    """Q then DQ of x with (scale, zp) as uint8; returns the DQ output's name."""
    inits += [helper.make_tensor(name + '_s', TensorProto.FLOAT, [], [scale]),
              helper.make_tensor(name + '_z', TensorProto.UINT8, [], [zp])]
    nodes += [helper.make_node('QuantizeLinear', [x, name + '_s', name + '_z'], [name + '_q'], name=name + '_Q'),
              helper.make_node('DequantizeLinear', [name + '_q', name + '_s', name + '_z'], [name + '_dq'],
                               name=name + '_DQ')]
    return name + '_dq'


def pool_attrs(k, s, pads, dil, ceil):
    return dict(kernel_shape=[k, k], strides=[s, s], pads=pads, dilations=[dil, dil], ceil_mode=int(ceil))


def save(out_dir, name, nodes, inits, in_shape, x, out_scale, out_zp, manifest):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N'] + in_shape)],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 'C', 'H', 'W'])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, name + '.onnx')
    onnx.save(model, path)
    np.save(os.path.join(out_dir, name + '.npy'), x.astype(np.float32))
    manifest.append(dict(model=name + '.onnx', input=name + '.npy', scale=out_scale, zero_point=out_zp))


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(15)
    manifest = []
    in_s, in_z = 0.0371, 117
    # MaxPool: (name, channels, H, W, k, stride, pads [t, l, b, r], dilation, ceil, output params)
    pools = [
        ('squeezenet_pool', 64, 23, 23, 3, 2, [0, 0, 0, 0], 1, True),
        ('resnet_stem_pool', 64, 22, 22, 3, 2, [1, 1, 1, 1], 1, False),
        ('odd_asym', 5, 9, 12, 3, 2, [1, 0, 0, 1], 1, True),
        ('k2s2', 17, 10, 11, 2, 2, [0, 0, 0, 0], 1, False),
        ('dilated', 33, 11, 9, 3, 1, [2, 1, 2, 1], 2, False),
        ('k1s2', 3, 7, 8, 1, 2, [0, 0, 0, 0], 1, False),
        ('wide_ch', 200, 6, 5, 3, 1, [1, 1, 1, 1], 1, True),
    ]
    out_params = [('same', in_s, in_z), ('finer', 0.0213, 140), ('coarser', 0.0532, 64), ('shifted', in_s, 3)]
    for name, c, h, w, k, s, pads, dil, ceil in pools:
        for tag, os_, oz in out_params:
            nodes, inits = [], []
            a = qdq(nodes, inits, 'x', 'in', in_s, in_z)
            nodes.append(helper.make_node('MaxPool', [a], ['p'], name='pool', **pool_attrs(k, s, pads, dil, ceil)))
            qdq(nodes, inits, 'p', 'out', os_, oz)
            nodes[-1].output[0] = 'y'
            x = rng.uniform(-5.5, 5.5, size=(7, c, h, w))
            save(out_dir, f'maxpool_{name}_{tag}', nodes, inits, [c, h, w], x, os_, oz, manifest)
    # Concat of parts of x split in float, each part quantized with its own parameters.
    concats = [
        ('two', [5, 7], [(0.031, 120), (0.045, 100)], (0.045, 100)),          # second shares the output's
        ('three', [16, 3, 9], [(0.02, 128), (0.07, 10), (0.033, 200)], (0.05, 128)),
        ('same', [4, 4], [(0.04, 128), (0.04, 128)], (0.04, 128)),            # plain copies
    ]
    for name, sizes, params, (os_, oz) in concats:
        for h, w in [(6, 7), (1, 1)]:
            nodes, inits = [], []
            c = sum(sizes)
            parts, begin = [], 0
            for i, size in enumerate(sizes):   # x sliced along channels in float (octet runs Slice, not Split)
                inits += [helper.make_tensor(f'b{i}', TensorProto.INT64, [1], [begin]),
                          helper.make_tensor(f'e{i}', TensorProto.INT64, [1], [begin + size]),
                          helper.make_tensor(f'a{i}', TensorProto.INT64, [1], [1])]
                nodes.append(helper.make_node('Slice', ['x', f'b{i}', f'e{i}', f'a{i}'], [f'part{i}'], name=f'slice{i}'))
                parts.append(f'part{i}')
                begin += size
            dq = [qdq(nodes, inits, p, f'in{i}', s, z) for i, (p, (s, z)) in enumerate(zip(parts, params))]
            nodes.append(helper.make_node('Concat', dq, ['cat'], name='concat', axis=1))
            qdq(nodes, inits, 'cat', 'out', os_, oz)
            nodes[-1].output[0] = 'y'
            x = rng.uniform(-6.0, 6.0, size=(7, c, h, w))
            save(out_dir, f'concat_{name}_{h}x{w}', nodes, inits, [c, h, w], x, os_, oz, manifest)
    # SqueezeNet's pattern: a MaxPool (same parameters) and a second branch into a Concat.
    nodes, inits = [], []
    a = qdq(nodes, inits, 'x', 'in', in_s, in_z)
    nodes.append(helper.make_node('MaxPool', [a], ['p'], name='pool', **pool_attrs(3, 2, [0, 0, 0, 0], 1, True)))
    pa = qdq(nodes, inits, 'p', 'pq', in_s, in_z)
    nodes.append(helper.make_node('AveragePool', [a], ['avg'], name='avg', kernel_shape=[3, 3], strides=[2, 2],
                                  ceil_mode=1))
    pb = qdq(nodes, inits, 'avg', 'aq', 0.029, 131)
    nodes.append(helper.make_node('Concat', [pa, pb], ['cat'], name='concat', axis=1))
    qdq(nodes, inits, 'cat', 'out', in_s, in_z)
    nodes[-1].output[0] = 'y'
    save(out_dir, 'pool_concat', nodes, inits, [24, 13, 13], rng.uniform(-4, 4, size=(7, 24, 13, 13)), in_s, in_z,
         manifest)
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    print(f'{len(manifest)} models in {out_dir}')


if __name__ == '__main__':
    main()
