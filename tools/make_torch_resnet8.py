#!/usr/bin/python3
"""Rebuild data/resnet8_torch_opset13.onnx: MLPerf Tiny ResNet8 exported by torch.onnx.

The tf2onnx model (data/resnet8.onnx) is one exporter's view of ResNet8; this script
gives the engine a second one, with the same weights, so the importer also meets what
torch.onnx.export emits at opset 13: NCHW input, BatchNormalization nodes, explicit Pad
nodes whose `pads` come from a computed (Constant/ConstantOfShape/Concat/Reshape/Slice/
Transpose/Reshape/Cast) subgraph, GlobalAveragePool, Flatten and Gemm.

Weights come straight from the Keras HDF5 file (MLPerf Tiny's pretrainedResnet.h5),
parsed with h5py because TensorFlow is not needed (nor installed). Keras' 'same' padding
with stride 2 on an even input pads only bottom/right, so those convolutions get an
explicit F.pad(x, (0, 1, 0, 1)) and padding=0, as tf2onnx's pads [0,0,1,1] do.

torch 1.13 notes: with training=TrainingMode.EVAL (the default) the exporter fuses each
BatchNorm into its Conv regardless of do_constant_folding, so the export uses PRESERVE on the
eval-mode model (--fuse-bn gives the default behaviour). do_constant_folding stays at its
default (True): it folds only the rank arithmetic (Shape/Gather/Mul/Sub) of F.pad's pads
computation and leaves Constant -> ConstantOfShape -> Concat -> Reshape -> Slice -> Transpose
-> Reshape -> Cast -> Pad in the graph (--no-fold keeps the arithmetic too).

Checks run after the export (the script fails if any does not hold):
  * every Keras weight equals the matching initializer of data/resnet8.onnx (so the
    layer mapping is right), with BatchNorm compared as tf2onnx's Mul/Add scale/offset;
  * the torch model's probabilities on the CIFAR-10 test records match the ONNX Runtime
    reference file within --tol, with identical top-1;
  * the exported file, run by a small numpy interpreter below (onnxruntime is not
    available), gives the same probabilities, and contains Pad, Gemm,
    GlobalAveragePool, BatchNormalization and the pads subgraph.

Deterministic: no randomness; torch is run in eval mode on CPU, single-threaded.
Run with Debian's interpreter (torch 1.13, onnx 1.12, numpy, h5py):
    /usr/bin/python3 tools/make_torch_resnet8.py
"""

import argparse
import collections
import json
import os
import sys

import h5py
import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_h5():
    # The repo's sibling ../shared is where the project keeps upstream model files.
    for cand in (os.path.join(REPO, "..", "shared", "models", "pretrainedResnet.h5"),
                 "/work/shared/models/pretrainedResnet.h5"):
        if os.path.exists(cand):
            return os.path.normpath(cand)
    return "/work/shared/models/pretrainedResnet.h5"


# ---------------------------------------------------------------------------
# Model


class ConvBN(nn.Module):
    """Conv2d (with bias, as Keras has) followed by an eval-mode BatchNorm2d."""

    def __init__(self, cin, cout, stride, eps):
        super().__init__()
        # stride 1: symmetric 'same' padding fits in the conv; stride 2: pad explicitly.
        self.stride = stride
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1 if stride == 1 else 0)
        self.bn = nn.BatchNorm2d(cout, eps=eps)

    def forward(self, x):
        if self.stride == 2:
            # Keras/TF 'same', stride 2, even size: total pad 1, all of it bottom/right.
            x = F.pad(x, (0, 1, 0, 1))
        return self.bn(self.conv(x))


class Stack(nn.Module):
    """One residual stack: two ConvBN, shortcut = identity or 1x1 stride-2 conv (no BN)."""

    def __init__(self, cin, cout, stride, eps):
        super().__init__()
        self.a = ConvBN(cin, cout, stride, eps)
        self.b = ConvBN(cout, cout, 1, eps)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride=stride) if stride != 1 else None

    def forward(self, x):
        y = self.b(F.relu(self.a(x)))
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(s + y)


class ResNet8(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.stem = ConvBN(3, 16, 1, eps)
        self.stack1 = Stack(16, 16, 1, eps)
        self.stack2 = Stack(16, 32, 2, eps)
        self.stack3 = Stack(32, 64, 2, eps)
        self.pool = nn.AdaptiveAvgPool2d(1)  # == Keras AveragePooling2D(8) on 8x8
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = self.stack3(self.stack2(self.stack1(x)))
        x = torch.flatten(self.pool(x), 1)
        return F.softmax(self.fc(x), dim=1)


# Keras layer name -> (torch conv module path, keras BN layer name or None)
CONV_MAP = [
    ("conv2d", "stem", "batch_normalization"),
    ("conv2d_1", "stack1.a", "batch_normalization_1"),
    ("conv2d_2", "stack1.b", "batch_normalization_2"),
    ("conv2d_3", "stack2.a", "batch_normalization_3"),
    ("conv2d_4", "stack2.b", "batch_normalization_4"),
    ("conv2d_5", "stack2.shortcut", None),
    ("conv2d_6", "stack3.a", "batch_normalization_5"),
    ("conv2d_7", "stack3.b", "batch_normalization_6"),
    ("conv2d_8", "stack3.shortcut", None),
]


def read_keras(path):
    """Return (weights dict 'layer/var' -> array, layer configs by name)."""
    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["model_config"])
        layers = {l["config"]["name"]: l for l in cfg["config"]["layers"]}
        w = {}
        g = f["model_weights"]
        for lname in g:
            for sub in g[lname]:
                for var, ds in g[lname][sub].items():
                    w[f"{lname}/{var.split(':')[0]}"] = np.array(ds, dtype=np.float32)
    return w, layers


def check_keras_config(layers):
    """Fail loudly if the h5 is not the topology this script hard-codes."""
    want = {name: (3 if name not in ("conv2d_5", "conv2d_8") else 1) for name, _, _ in CONV_MAP}
    for name, k in want.items():
        c = layers[name]["config"]
        assert c["kernel_size"] == [k, k] and c["padding"] == "same" and c["use_bias"], name
    assert layers["average_pooling2d"]["config"]["pool_size"] == [8, 8]
    assert layers["dense"]["config"]["activation"] == "softmax"
    eps = {layers[b]["config"]["epsilon"] for _, _, b in CONV_MAP if b}
    assert len(eps) == 1, eps
    return float(eps.pop())


def build_model(w, eps):
    model = ResNet8(eps)
    mods = dict(model.named_modules())
    with torch.no_grad():
        for kname, tpath, bname in CONV_MAP:
            m = mods[tpath]
            conv = m.conv if isinstance(m, ConvBN) else m
            # Keras HWIO -> torch OIHW
            conv.weight.copy_(torch.from_numpy(w[f"{kname}/kernel"].transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(w[f"{kname}/bias"]))
            if bname:
                m.bn.weight.copy_(torch.from_numpy(w[f"{bname}/gamma"]))
                m.bn.bias.copy_(torch.from_numpy(w[f"{bname}/beta"]))
                m.bn.running_mean.copy_(torch.from_numpy(w[f"{bname}/moving_mean"]))
                m.bn.running_var.copy_(torch.from_numpy(w[f"{bname}/moving_variance"]))
        model.fc.weight.copy_(torch.from_numpy(w["dense/kernel"].T.copy()))  # (in,out)->(out,in)
        model.fc.bias.copy_(torch.from_numpy(w["dense/bias"]))
    return model.eval()


# ---------------------------------------------------------------------------
# Cross-check against the tf2onnx model


def check_against_tf2onnx(w, eps, path):
    """Keras weights must equal tf2onnx's initializers, layer for layer, in graph order."""
    m = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    nodes = list(m.graph.node)
    convs = [n for n in nodes if n.op_type == "Conv"]
    # Match each Keras conv to the tf2onnx Conv with bit-identical weights.
    by_kernel = {}
    for n in convs:
        by_kernel[init[n.input[1]].tobytes()] = n
    consumers = collections.defaultdict(list)
    for n in nodes:
        for i in n.input:
            consumers[i].append(n)
    for kname, _, bname in CONV_MAP:
        kern = w[f"{kname}/kernel"].transpose(3, 2, 0, 1).copy()
        n = by_kernel.get(kern.tobytes())
        if n is None:
            sys.exit(f"no tf2onnx Conv has the weights of Keras layer {kname}")
        if not np.array_equal(init[n.input[2]], w[f"{kname}/bias"]):
            sys.exit(f"bias of {kname} differs from tf2onnx")
        after = consumers[n.output[0]]
        if bname is None:
            if any(c.op_type == "Mul" for c in after):
                sys.exit(f"{kname}: tf2onnx has a BatchNorm after it, this script does not")
            continue
        mul = [c for c in after if c.op_type == "Mul"]
        if len(mul) != 1:
            sys.exit(f"{kname}: expected one Mul (BatchNorm scale) after the Conv")
        add = consumers[mul[0].output[0]][0]
        scale = init[mul[0].input[1]].reshape(-1)
        offset = init[add.input[1]].reshape(-1)
        g, b = w[f"{bname}/gamma"], w[f"{bname}/beta"]
        mu, var = w[f"{bname}/moving_mean"], w[f"{bname}/moving_variance"]
        s = g / np.sqrt(var + np.float32(eps))
        if not (np.allclose(scale, s, rtol=1e-6, atol=0) and
                np.allclose(offset, b - mu * s, rtol=1e-5, atol=1e-6)):
            sys.exit(f"{bname}: tf2onnx scale/offset do not match gamma/beta/mean/var")
    mm = [n for n in nodes if n.op_type == "MatMul"][0]
    if not np.array_equal(init[mm.input[1]], w["dense/kernel"]):
        sys.exit("dense kernel differs from tf2onnx")
    print(f"weights match {os.path.basename(path)} ({len(convs)} Conv + BN scale/offset + Dense)")


# ---------------------------------------------------------------------------
# Data


def read_cifar(path, count):
    raw = np.fromfile(path, dtype=np.uint8)
    rec = raw.reshape(-1, 3073)[:count]
    labels = rec[:, 0].astype(np.int64)
    images = rec[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32)  # planes R,G,B -> NCHW
    return images, labels


# ---------------------------------------------------------------------------
# Minimal numpy interpreter for the exported file (onnxruntime is not installed)


def _conv(x, w, b, strides, pads, group):
    assert group == 1
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (x.shape[2] - kh) // strides[0] + 1
    ow = (x.shape[3] - kw) // strides[1] + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + strides[0] * oh:strides[0], j:j + strides[1] * ow:strides[1]]
    y = np.einsum("ncijhw,ocij->nohw", cols, w.astype(np.float64), optimize=True)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def run_onnx_numpy(model, feeds):
    """Evaluate `model` in float64 numpy; supports just the ops torch emits here."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for n in model.graph.node:
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        i = [env[x] if x else None for x in n.input]
        t = n.op_type
        if t == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif t == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            r = np.full(tuple(i[0]), v.reshape(-1)[0], dtype=v.dtype)
        elif t == "Shape":
            r = np.array(i[0].shape, dtype=np.int64)
        elif t == "Size":
            r = np.array(i[0].size, dtype=np.int64)
        elif t == "Gather":
            r = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif t == "Unsqueeze":
            r = np.expand_dims(i[0], tuple(int(v) for v in i[1]))
        elif t in ("Add", "Sub", "Mul", "Div"):
            r = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[t](i[0], i[1])
        elif t == "Concat":
            r = np.concatenate(i, axis=a["axis"])
        elif t == "Reshape":
            shape = [d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1])]
            r = i[0].reshape(shape)
        elif t == "Slice":
            axes = i[3] if len(i) > 3 and i[3] is not None else range(len(i[1]))
            steps = i[4] if len(i) > 4 and i[4] is not None else [1] * len(i[1])
            sl = [slice(None)] * i[0].ndim
            for s, e, ax, st in zip(i[1], i[2], axes, steps):
                dim = i[0].shape[ax]
                # ONNX clamps to [-1, dim] for negative steps; None avoids python's wrap-around.
                e = None if (st < 0 and e < -dim) else int(max(min(e, dim), -dim - 1))
                sl[ax] = slice(int(s), e, int(st))
            r = i[0][tuple(sl)]
        elif t == "Transpose":
            r = np.transpose(i[0], a.get("perm"))
        elif t == "Cast":
            r = i[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif t == "Pad":
            assert a.get("mode", b"constant") == b"constant"
            p = i[1].reshape(2, -1)
            val = i[2].item() if len(i) > 2 and i[2] is not None else 0
            r = np.pad(i[0], list(zip(p[0], p[1])), constant_values=val)
        elif t == "Conv":
            r = _conv(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]),
                      a.get("pads", [0, 0, 0, 0]), a.get("group", 1))
        elif t == "BatchNormalization":
            sh = (1, -1, 1, 1)
            x, g, b, mu, var = i
            r = (x - mu.reshape(sh)) / np.sqrt(var.reshape(sh) + a.get("epsilon", 1e-5)) * g.reshape(sh) + b.reshape(sh)
        elif t == "Relu":
            r = np.maximum(i[0], 0)
        elif t == "GlobalAveragePool":
            r = i[0].mean(axis=(2, 3), keepdims=True)
        elif t == "Flatten":
            ax = a.get("axis", 1)
            r = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif t == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            r = a.get("alpha", 1.0) * (A @ B) + a.get("beta", 1.0) * i[2]
        elif t == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(i[0] - i[0].max(axis=ax, keepdims=True))
            r = e / e.sum(axis=ax, keepdims=True)
        else:
            raise NotImplementedError(f"numpy check: op {t} ({n.name})")
        env[n.output[0]] = r
    return [env[o.name] for o in model.graph.output]


PADS_CHAIN = ["ConstantOfShape", "Concat", "Reshape", "Slice", "Transpose", "Reshape", "Cast"]


def pads_chain_of(model, pad_node):
    """The op types on the producer chain of a Pad's `pads` input, walking first inputs."""
    prod = {o: n for n in model.graph.node for o in n.output}
    chain, name = [], pad_node.input[1]
    while name in prod:
        n = prod[name]
        chain.append(n.op_type)
        # Concat: follow the ConstantOfShape branch (the extension of the pads list).
        nxt = [x for x in n.input if x in prod and prod[x].op_type == "ConstantOfShape"]
        name = nxt[0] if (n.op_type == "Concat" and nxt) else (n.input[0] if n.input else "")
    return list(reversed(chain))


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--h5", default=default_h5(), help="Keras weights (default: %(default)s)")
    ap.add_argument("--tf2onnx", default=os.path.join(REPO, "data", "resnet8.onnx"),
                    help="tf2onnx model to cross-check weights against (default: %(default)s)")
    ap.add_argument("--out", default=os.path.join(REPO, "data", "resnet8_torch_opset13.onnx"),
                    help="output ONNX file (default: %(default)s)")
    ap.add_argument("--cifar", default=os.path.join(REPO, "data", "cifar10-test-first1000.bin"),
                    help="CIFAR-10 binary records for the check (default: %(default)s)")
    ap.add_argument("--reference", default=os.path.join(REPO, "data", "ort-1.30-fp32-test-first1000.probs.f32"),
                    help="reference float32 N x 10 probabilities (default: %(default)s)")
    ap.add_argument("--count", type=int, default=1000, help="images to check (default: %(default)s)")
    ap.add_argument("--numpy-count", type=int, default=100,
                    help="images to run through the numpy interpreter of the exported file (default: %(default)s)")
    ap.add_argument("--tol", type=float, default=1e-5, help="max |delta prob| allowed (default: %(default)s)")
    ap.add_argument("--no-fold", action="store_true",
                    help="export with do_constant_folding=False (keeps also the Shape/Gather/Mul/Sub "
                         "that compute the pads' rank extension; the committed file uses torch's "
                         "default, True)")
    ap.add_argument("--fuse-bn", action="store_true",
                    help="export with training=TrainingMode.EVAL, torch's default, whose eval peephole "
                         "fuses every BatchNorm into its Conv (even without constant folding); the "
                         "committed file uses PRESERVE on the eval-mode model to keep BatchNormalization")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)

    w, layers = read_keras(args.h5)
    eps = check_keras_config(layers)
    print(f"Keras BatchNorm epsilon = {eps}")
    check_against_tf2onnx(w, eps, args.tf2onnx)
    model = build_model(w, eps)

    # 1. torch model vs the ONNX Runtime reference probabilities.
    images, labels = read_cifar(args.cifar, args.count)
    ref = np.fromfile(args.reference, dtype=np.float32).reshape(-1, 10)[:len(images)]
    with torch.no_grad():
        probs = model(torch.from_numpy(images)).numpy()
    d = np.abs(probs - ref).max()
    top1 = int((probs.argmax(1) == ref.argmax(1)).sum())
    acc = float((probs.argmax(1) == labels).mean())
    print(f"torch vs reference on {len(images)} images: max |dprob| = {d:.3g}, "
          f"top-1 agreement {top1}/{len(images)}, accuracy {acc:.4f}")
    ok = d <= args.tol and top1 == len(images)

    # 2. Export. The model is in eval mode either way; TrainingMode.PRESERVE only stops the
    # exporter's eval peephole from fusing BatchNorm into Conv, so the file keeps inference-mode
    # BatchNormalization nodes with the Keras gamma/beta/mean/var bit for bit.
    dummy = torch.zeros(1, 3, 32, 32)
    torch.onnx.export(model, dummy, args.out, opset_version=13,
                      input_names=["input"], output_names=["probs"],
                      dynamic_axes={"input": {0: "N"}, "probs": {0: "N"}},
                      do_constant_folding=not args.no_fold,
                      training=(torch.onnx.TrainingMode.EVAL if args.fuse_bn
                                else torch.onnx.TrainingMode.PRESERVE))
    m = onnx.load(args.out)
    onnx.checker.check_model(m)
    # Keep the file byte-stable across runs: no exporter/version-dependent doc strings.
    m.producer_version = torch.__version__.split("+")[0]
    for n in m.graph.node:
        n.doc_string = ""
    onnx.save(m, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes), opset "
          f"{[o.version for o in m.opset_import]}, producer {m.producer_name} {m.producer_version}")

    # 3. Structure of the exported file.
    hist = collections.Counter(n.op_type for n in m.graph.node)
    print("op histogram:", ", ".join(f"{k} {v}" for k, v in sorted(hist.items())))
    required = ["Pad", "Gemm", "GlobalAveragePool"] + ([] if args.fuse_bn else ["BatchNormalization"])
    for op in required:
        if not hist[op]:
            print(f"FAIL: exported file has no {op}")
            ok = False
    for p in (n for n in m.graph.node if n.op_type == "Pad"):
        chain = pads_chain_of(m, p)
        print(f"  {p.name}: pads <- {' -> '.join(chain) or 'initializer/constant'}")
        if chain[-len(PADS_CHAIN):] != PADS_CHAIN:
            print(f"FAIL: {p.name} pads do not come from the {'/'.join(PADS_CHAIN)} subgraph")
            ok = False

    # 4. The exported file itself, evaluated independently of torch.
    k = min(args.numpy_count, len(images))
    if k:
        (out,) = run_onnx_numpy(m, {"input": images[:k].astype(np.float64)})
        dn = np.abs(out - ref[:k]).max()
        dt = np.abs(out - probs[:k]).max()
        agree = int((out.argmax(1) == ref[:k].argmax(1)).sum())
        print(f"exported file (numpy, float64) on {k} images: max |dprob| vs reference = {dn:.3g}, "
              f"vs torch = {dt:.3g}, top-1 agreement {agree}/{k}")
        ok = ok and dn <= args.tol and agree == k

    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
