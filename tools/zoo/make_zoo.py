#!/usr/bin/python3
"""Exports the model zoo (issue 14, item 5): CNNs from torchvision's own definitions and the
MLPerf Tiny models, with seeded random weights, into an output folder (default build/zoo/).

Per model <name> it writes
  <name>.onnx         torch.onnx.export, dynamic batch dimension, BatchNormalization kept
  <name>.inputs.npy   8 seeded random inputs, float32 C order, [8, *input shape]
and a manifest.json (also written to tests/zoo/manifest.json, which is committed) with the
file names, opsets, shapes, MACs, parameters, operator counts and the sha256 of both files.

Weights: torchvision's own initialisation under torch.manual_seed(seed of the model). BatchNorm
gets random gamma/beta and random running statistics: the statistics are first measured on a
seeded random batch (so activations stay in a sane range through 50 layers), then perturbed
(mean shifted, variance scaled by 0.7..1.3) and rounded to float16 precision, so BN folding
has non-trivial statistics to fold. Nothing is downloaded (weights=None).

torch 1.13 notes: the exporter fuses BatchNorm into Conv under TrainingMode.EVAL, so the
export uses TrainingMode.PRESERVE on the eval-mode model, which keeps BatchNormalization
nodes. Everything runs on one thread, so a second run writes byte-identical files (the
manifest's sha256 values show it: --check compares a new run with the committed manifest).

    /usr/bin/python3 tools/zoo/make_zoo.py [OUT_DIR] [--only NAME,...] [--check]
"""

import argparse
import collections
import hashlib
import io
import json
import os
import sys
import time
import warnings
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlperf_tiny  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROWS = 8                      # inputs per model
DEFAULT_OPSET = 13
OPSET_VARIANTS = (11, 17)     # for the models whose export changes across opsets


class NhwcInput(nn.Module):
    """Takes NHWC and transposes to the wrapped NCHW model (a Transpose node in the file)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.permute(0, 3, 1, 2))


Spec = collections.namedtuple("Spec", "name build shape classes opsets nhwc")

# name, builder, input shape (NCHW, no batch), classes (0: not a classifier), extra opsets,
# NHWC variant too
SPECS = [
    Spec("mobilenet_v2", lambda: tvm.mobilenet_v2(weights=None), (3, 224, 224), 1000, OPSET_VARIANTS, True),
    Spec("mobilenet_v3_small", lambda: tvm.mobilenet_v3_small(weights=None), (3, 224, 224), 1000, (), False),
    Spec("mobilenet_v3_large", lambda: tvm.mobilenet_v3_large(weights=None), (3, 224, 224), 1000, (17,), False),
    Spec("shufflenet_v2_x0_5", lambda: tvm.shufflenet_v2_x0_5(weights=None), (3, 224, 224), 1000, OPSET_VARIANTS, False),
    Spec("squeezenet1_1", lambda: tvm.squeezenet1_1(weights=None), (3, 224, 224), 1000, (), False),
    Spec("efficientnet_b0", lambda: tvm.efficientnet_b0(weights=None), (3, 224, 224), 1000, OPSET_VARIANTS, False),
    Spec("mnasnet0_5", lambda: tvm.mnasnet0_5(weights=None), (3, 224, 224), 1000, (), False),
    Spec("resnet18", lambda: tvm.resnet18(weights=None), (3, 224, 224), 1000, OPSET_VARIANTS, False),
    Spec("resnet50", lambda: tvm.resnet50(weights=None), (3, 224, 224), 1000, (), False),
    Spec("kws_ds_cnn", mlperf_tiny.DsCnnKws, (1, 49, 10), 12, (), False),
    Spec("vww_mobilenet_v1_025", mlperf_tiny.MobileNetV1Vww, (3, 96, 96), 2, (), True),
    Spec("ad_autoencoder", mlperf_tiny.AnomalyAutoencoder, (640,), 0, (), False),
    Spec("resnet8", mlperf_tiny.resnet8, (3, 32, 32), 10, (), False),
]


def seed_of(name):
    return zlib.crc32(name.encode())


def randomize_batchnorm(model, shape, seed):
    """Random gamma/beta and running statistics measured on a random batch, then perturbed."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for bn in bns:
            bn.weight.copy_(torch.empty_like(bn.weight).uniform_(0.5, 1.5, generator=g))
            bn.bias.copy_(torch.randn(bn.bias.shape, generator=g) * 0.1)
            bn.reset_running_stats()
            bn.momentum = None   # cumulative average: one batch sets the statistics exactly
            bn.train()
        model(torch.randn((8,) + shape, generator=g))
        for bn in bns:
            std = bn.running_var.sqrt()
            bn.running_mean.add_(torch.randn(bn.running_mean.shape, generator=g) * 0.1 * std)
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.7, 1.3, generator=g))
            bn.running_mean.copy_(bn.running_mean.half().float())
            bn.running_var.copy_(bn.running_var.half().float())
    return model.eval()


def build(spec):
    torch.manual_seed(seed_of(spec.name))
    model = spec.build().eval()
    return randomize_batchnorm(model, spec.shape, seed_of(spec.name) + 1)


def macs_of(model, shape):
    """Multiply-accumulates of one input (Conv2d and Linear), counted by forward hooks."""
    total = [0]

    def conv_hook(m, _, out):
        total[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, _, out):
        total[0] += out.numel() * m.in_features

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks += [m.register_forward_hook(linear_hook) for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        model(torch.zeros((1,) + shape))
    for h in hooks:
        h.remove()
    return total[0]


def export(model, shape, opset):
    buf = io.BytesIO()
    # torch 1.13 warns about constant folding under PRESERVE (the model is in eval mode, so
    # nothing trainable is folded) and about Slice folding: expected, and noise otherwise.
    warnings.filterwarnings("ignore", category=UserWarning, module="torch")
    torch.onnx.export(model, torch.zeros((1,) + shape), buf, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    return buf.getvalue()


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array, dtype="<f4"), allow_pickle=False)
    return buf.getvalue()


def variants(spec):
    """(file stem, opset, layout) of every file a spec exports."""
    out = [(spec.name, DEFAULT_OPSET, "NCHW")]
    out += [(f"{spec.name}_opset{o}", o, "NCHW") for o in spec.opsets]
    if spec.nhwc:
        out.append((f"{spec.name}_nhwc", DEFAULT_OPSET, "NHWC"))
    if len(spec.shape) == 1:
        out[0] = (spec.name, DEFAULT_OPSET, "NC")
    return out


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def make(spec, out_dir):
    t0 = time.time()
    model = build(spec)
    macs = macs_of(model, spec.shape)
    params = sum(p.numel() for p in model.parameters())
    entries = []
    for stem, opset, layout in variants(spec):
        shape = spec.shape
        wrapped = model
        if layout == "NHWC":
            shape = (spec.shape[1], spec.shape[2], spec.shape[0])
            wrapped = NhwcInput(model).eval()
        onnx_bytes = export(wrapped, shape, opset)
        rng = np.random.RandomState(seed_of(stem) % (2**32))
        inputs = npy_bytes(rng.standard_normal((ROWS,) + shape).astype(np.float32))
        write(os.path.join(out_dir, stem + ".onnx"), onnx_bytes)
        write(os.path.join(out_dir, stem + ".inputs.npy"), inputs)
        graph = onnx.load_from_string(onnx_bytes).graph
        ops = collections.Counter(n.op_type for n in graph.node)
        entries.append({
            "name": stem, "architecture": spec.name, "file": stem + ".onnx", "opset": opset,
            "input": {"name": graph.input[0].name, "shape": ["N", *shape], "layout": layout},
            "outputs": [o.name for o in graph.output],
            "classes": spec.classes, "macs": macs, "params": params,
            "onnx_bytes": len(onnx_bytes), "ops": dict(sorted(ops.items())),
            "inputs_file": stem + ".inputs.npy", "reference_file": stem + ".ort.npy",
            "sha256_onnx": hashlib.sha256(onnx_bytes).hexdigest(),
            "sha256_inputs": hashlib.sha256(inputs).hexdigest(),
        })
    print(f"{spec.name:22s} {len(entries)} file(s), {macs / 1e6:9.1f} MMACs, {time.time() - t0:5.1f} s",
          flush=True)
    return entries


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", default=os.path.join(REPO, "build", "zoo"))
    ap.add_argument("--only", help="comma list of architectures (default: all)")
    ap.add_argument("--manifest", default=os.path.join(REPO, "tests", "zoo", "manifest.json"),
                    help="where the committed manifest goes (default tests/zoo/manifest.json)")
    ap.add_argument("--check", action="store_true",
                    help="do not overwrite --manifest: fail unless every file's sha256 matches it")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out_dir, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    if only and only - {s.name for s in SPECS}:
        sys.exit(f"--only: unknown architecture(s) {sorted(only - {s.name for s in SPECS})}")
    t0 = time.time()
    models = [e for s in SPECS if not only or s.name in only for e in make(s, args.out_dir)]
    manifest = {"generator": "tools/zoo/make_zoo.py", "torch": torch.__version__,
                "torchvision": __import__("torchvision").__version__, "rows": ROWS, "models": models}
    text = json.dumps(manifest, indent=1) + "\n"
    write(os.path.join(args.out_dir, "manifest.json"), text.encode())
    print(f"{len(models)} files in {args.out_dir}, {time.time() - t0:.0f} s")
    if args.check:
        with open(args.manifest) as f:
            committed = {m["name"]: m for m in json.load(f)["models"]}
        bad = [m["name"] for m in models
               if committed.get(m["name"], {}).get("sha256_onnx") != m["sha256_onnx"]
               or committed[m["name"]]["sha256_inputs"] != m["sha256_inputs"]]
        if bad:
            sys.exit(f"differ from {args.manifest}: {', '.join(bad)}")
        print(f"all {len(models)} match {args.manifest}")
    elif not only:
        os.makedirs(os.path.dirname(args.manifest), exist_ok=True)
        write(args.manifest, text.encode())


if __name__ == "__main__":
    main()
