#!/usr/bin/python3
"""octet vs ONNX Runtime 1.30 on single-operator QDQ models of the int8 element-wise ops.

Writes small models  x -> Q -> DQ -> Op -> Q -> DQ  (Add, Mul same shape, Mul with a
[N,C,1,1] gate either side, AveragePool, GlobalAveragePool) with random scales, zero points,
shapes (odd channel counts) and inputs that are exact dequantized codes, runs them in ONNX
Runtime (vector_parity.js: all optimisations, so ORT fuses each group into its QLinear* kernel)
and in octet (build/tools/octet-run), and counts the output codes that differ. It also checks
ORT against a NumPy transcription of the float arithmetic octet implements
(kernels/int8/vector.h), so a formula can be checked before octet runs it (--ort-only).

  /usr/bin/python3 tests/ort_parity/vector_parity.py [--cases N] [--seed S] [--ort-only]
      [--octet-run build/tools/octet-run] [--keep DIR]
Exit status 1 when any code differs. OCTET_ISA=sse2|avx2 in the environment runs octet's scalar
or AVX2 kernels instead of the CPU's best. --add-fixed-variants: for the Add, also count ORT against
the three ways of rounding `fixed` (no FMA, or an FMA on either product).
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
f32 = np.float32


def r32(x):
    """Round float64 values to float32 (one rounding: every float64 value here is exact)."""
    return np.asarray(x, dtype=np.float64).astype(np.float32)


# --- the float arithmetic octet implements (docs/quantization.md), exact in float64 -----------
# Every product below is of a float32 and an integer below 2^17 and every sum has operands within
# 2^20 of each other in magnitude for the scale ratios drawn here, so float64 holds each exact
# value and r32 rounds it once, as a float32 operation (or a fused multiply-add) would.

def add_fixed(ra, za, rb, zb, zc, variant="fma_a"):
    pa, pb = np.float64(ra) * za, np.float64(rb) * zb
    if variant == "plain":
        s = r32(np.float64(r32(pa)) + np.float64(r32(pb)))
    elif variant == "fma_a":   # fma(ra, za, rb * zb)
        s = r32(pa + np.float64(r32(pb)))
    else:                      # fma(rb, zb, ra * za)
        s = r32(pb + np.float64(r32(pa)))
    return r32(np.float64(f32(zc)) - np.float64(s))


def sim_add(a, b, sa, za, sb, zb, sc, zc, variant="fma_a"):
    ra, rb = r32(np.float64(f32(sa)) / np.float64(f32(sc))), r32(np.float64(f32(sb)) / np.float64(f32(sc)))
    fixed = add_fixed(ra, za, rb, zb, zc, variant)
    t = r32(b.astype(np.float64) * np.float64(rb) + np.float64(fixed))
    t = r32(a.astype(np.float64) * np.float64(ra) + t.astype(np.float64))
    return np.clip(np.rint(t), 0, 255).astype(np.int32)


def sim_mul(a, b, sa, za, sb, zb, sc, zc):
    ratio = r32(np.float64(r32(np.float64(f32(sa)) * np.float64(f32(sb)))) / np.float64(f32(sc)))
    prod = (a.astype(np.int64) - za) * (b.astype(np.int64) - zb)
    t = r32(prod.astype(np.float64) * np.float64(ratio))
    t = r32(t.astype(np.float64) + np.float64(zc))
    return np.clip(np.rint(t), 0, 255).astype(np.int32)


def sim_global_average(x, sx, zx, sy, zy):   # x: [N, C, H, W] codes
    hw = x.shape[2] * x.shape[3]
    scale = r32(np.float64(f32(sx)) / np.float64(r32(np.float64(f32(sy)) * hw)))
    acc = x.reshape(x.shape[0], x.shape[1], hw).astype(np.int64).sum(axis=2) - zx * hw
    v = r32(acc.astype(np.float64) * np.float64(scale))
    v = np.clip(v, -zy, 255 - zy)
    return (np.rint(v) + zy).astype(np.int32)[:, :, None, None]


def sim_average_pool(x, sx, zx, sy, zy, k, s, pads, include_pad):
    """QLinearAveragePool: the window's dequantized values summed in float in row order, divided
    by the count, then round_half_even(y / sy + zy) clamped to [0, 255]."""
    n, c, h, w = x.shape
    deq = r32((x.astype(np.float64) - zx) * np.float64(f32(sx)))
    oh = (h + pads[0] + pads[2] - k[0]) // s[0] + 1
    ow = (w + pads[1] + pads[3] - k[1]) // s[1] + 1
    y = np.zeros((n, c, oh, ow), np.int32)
    for i in range(oh):
        h0, h1 = max(i * s[0] - pads[0], 0), min(i * s[0] - pads[0] + k[0], h)
        for j in range(ow):
            w0, w1 = max(j * s[1] - pads[1], 0), min(j * s[1] - pads[1] + k[1], w)
            acc = np.zeros((n, c), np.float32)
            for hh in range(h0, h1):
                for ww in range(w0, w1):
                    acc = r32(acc.astype(np.float64) + deq[:, :, hh, ww])
            count = k[0] * k[1] if include_pad else (h1 - h0) * (w1 - w0)
            v = r32(acc.astype(np.float64) / count)
            v = r32(v.astype(np.float64) / np.float64(f32(sy)))
            v = r32(v.astype(np.float64) + zy)
            y[:, :, i, j] = np.clip(np.rint(v), 0, 255)
    return y


# --- models --------------------------------------------------------------------------------------

def qdq(name, src, scale, zp, nodes, inits):
    """Q then DQ of `src` with (scale, zp): returns the DQ output's name."""
    inits += [numpy_helper.from_array(np.array(scale, np.float32), name + "_s"),
              numpy_helper.from_array(np.array(zp, np.uint8), name + "_z")]
    nodes += [helper.make_node("QuantizeLinear", [src, name + "_s", name + "_z"], [name + "_q"]),
              helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name + "_dq"])]
    return name + "_dq"


def make_model(path, op, inputs, out_q, attrs, out_shape):
    """inputs: [(name, shape, scale, zp)]; out_q: (scale, zp)."""
    nodes, inits = [], []
    deq = [qdq(nm, nm, s, z, nodes, inits) for nm, _, s, z in inputs]
    nodes.append(helper.make_node(op, deq, ["op_out"], **attrs))
    final = qdq("y", "op_out", out_q[0], out_q[1], nodes, inits)
    nodes.append(helper.make_node("Identity", [final], ["y"]))
    graph = helper.make_graph(
        nodes, op.lower(),
        [helper.make_tensor_value_info(nm, TensorProto.FLOAT, list(sh)) for nm, sh, _, _ in inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


def codes_to_float(q, scale, zp):
    return r32((q.astype(np.float64) - zp) * np.float64(f32(scale)))


def float_to_codes(y, scale, zp):
    return (np.rint(y.astype(np.float64) / np.float64(f32(scale))) + zp).astype(np.int32)


def rand_scale(rng, lo=0.003, hi=0.5):
    """Log-uniform, or one time in three a power of two: then every step but the rounding is
    exact and many values are ties, which pin the rounding (half to even)."""
    if rng.integers(0, 3) == 0:
        return float(2.0 ** -int(rng.integers(1, 9)))
    return float(f32(np.exp(rng.uniform(np.log(lo), np.log(hi)))))


KINDS = ["add", "mul", "mul_gate_b", "mul_gate_a", "avgpool", "avgpool_global", "gap"]


def fixed_variants_differ(ins, out):
    (_, _, sa, za), (_, _, sb, zb) = ins
    ra, rb = r32(np.float64(f32(sa)) / np.float64(f32(out[0]))), r32(np.float64(f32(sb)) / np.float64(f32(out[0])))
    return len({float(add_fixed(ra, za, rb, zb, out[1], v)) for v in ("plain", "fma_a", "fma_b")}) > 1


def make_cases(rng, count, tmp, kinds, separate_fixed):
    """separate_fixed: Add scales and zero points are redrawn until the three roundings of
    `fixed` differ (for --add-fixed-variants)."""
    cases = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        n = int(rng.choice([1, 7]))
        c = int(rng.integers(1, 40)) | 1
        h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        out = (rand_scale(rng), int(rng.integers(0, 256)))
        attrs = {}
        if kind == "add" and i % 2 == 0:   # every (a, b) pair of codes
            n, c, h, w = 1, 256, 16, 16
            grid = np.arange(256 * 256)
            codes = [(grid // 256).reshape(1, 256, 16, 16), (grid % 256).reshape(1, 256, 16, 16)]
        else:
            codes = None
        if kind in ("add", "mul"):
            shapes = [(n, c, h, w), (n, c, h, w)]
            op = "Add" if kind == "add" else "Mul"
        elif kind == "mul_gate_b":
            shapes, op = [(n, c, h, w), (n, c, 1, 1)], "Mul"
        elif kind == "mul_gate_a":
            shapes, op = [(n, c, 1, 1), (n, c, h, w)], "Mul"
        elif kind == "gap":
            shapes, op = [(n, c, h, w)], "GlobalAveragePool"
        elif kind == "avgpool_global":
            shapes, op = [(n, c, h, w)], "AveragePool"
            attrs = {"kernel_shape": [h, w]}
        else:
            h, w = int(rng.integers(3, 14)), int(rng.integers(3, 14))
            k = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
            s = [int(rng.integers(1, 3)), int(rng.integers(1, 3))]
            pads = [int(rng.integers(0, k[0])), int(rng.integers(0, k[1])), int(rng.integers(0, k[0])),
                    int(rng.integers(0, k[1]))]
            shapes, op = [(n, c, h, w)], "AveragePool"
            attrs = {"kernel_shape": k, "strides": s, "pads": pads, "count_include_pad": int(rng.integers(0, 2))}
        while True:
            ins = [("ab"[j], sh, rand_scale(rng), int(rng.integers(0, 256))) for j, sh in enumerate(shapes)]
            if not (separate_fixed and op == "Add") or fixed_variants_differ(ins, out):
                break
        arrays = {}
        for j, (nm, sh, sc, zp) in enumerate(ins):
            q = codes[j] if codes is not None else rng.integers(0, 256, size=sh)
            arrays[nm] = q
            np.save(os.path.join(tmp, f"c{i}_{nm}.npy"), codes_to_float(q, sc, zp))
        # expected codes from the NumPy transcription
        if op == "Add":
            (_, _, sa, za), (_, _, sb, zb) = ins
            want = sim_add(arrays["a"], arrays["b"], sa, za, sb, zb, *out)
            out_shape = shapes[0]
        elif op == "Mul":
            (_, _, sa, za), (_, _, sb, zb) = ins
            want = sim_mul(arrays["a"], arrays["b"], sa, za, sb, zb, *out)
            out_shape = want.shape
        elif op == "GlobalAveragePool" or (op == "AveragePool" and kind == "avgpool_global"):
            (_, _, sx, zx), = ins
            want = sim_global_average(arrays["a"], sx, zx, *out)
            out_shape = want.shape
        else:
            (_, _, sx, zx), = ins
            want = sim_average_pool(arrays["a"], sx, zx, out[0], out[1], attrs["kernel_shape"], attrs["strides"],
                                    attrs["pads"], attrs["count_include_pad"])
            out_shape = want.shape
        model = os.path.join(tmp, f"c{i}_{kind}.onnx")
        make_model(model, op, ins, out, attrs, out_shape)
        cases.append({"kind": kind, "model": model, "ins": ins, "out": out, "want": want, "arrays": arrays,
                      "inputs": {nm: os.path.join(tmp, f"c{i}_{nm}.npy") for nm, _, _, _ in ins},
                      "ort_output": os.path.join(tmp, f"c{i}_ort.npy")})
    return cases


def run_octet(octet_run, case, tmp):
    d = os.path.join(tmp, os.path.basename(case["model"]) + ".out")
    os.makedirs(d, exist_ok=True)
    args = [octet_run, "--model", case["model"], "--output-dir", d, "--json"]
    for nm, f in case["inputs"].items():
        args += ["--input", f"{nm}={f}"]
    res = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    name = res["outputs"][0]["name"]
    return np.load(os.path.join(d, "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name) + ".npy"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=70)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ort-only", action="store_true", help="compare ORT with the NumPy formulas only")
    ap.add_argument("--add-fixed-variants", action="store_true")
    ap.add_argument("--only", choices=KINDS, action="append", help="these kinds of model only")
    ap.add_argument("--octet-run", default=os.path.join(ROOT, "build", "tools", "octet-run"))
    ap.add_argument("--keep", help="write the models and outputs here instead of a temporary folder")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    tmp = args.keep or tempfile.mkdtemp(prefix="octet-vector-parity-")
    os.makedirs(tmp, exist_ok=True)
    cases = make_cases(rng, args.cases, tmp, args.only or KINDS, args.add_fixed_variants)
    manifest = os.path.join(tmp, "manifest.json")
    with open(manifest, "w") as f:
        json.dump([{"model": c["model"], "inputs": c["inputs"], "output": c["ort_output"]} for c in cases], f)
    subprocess.run(["node", os.path.join(HERE, "vector_parity.js"), manifest], check=True)
    totals = {}
    bad = False
    for c in cases:
        ort_codes = float_to_codes(np.load(c["ort_output"]), *c["out"])
        t = totals.setdefault(c["kind"], {"models": 0, "codes": 0, "ort_vs_formula": 0, "ort_vs_octet": 0})
        t["models"] += 1
        t["codes"] += ort_codes.size
        t["ort_vs_formula"] += int((ort_codes != c["want"].reshape(ort_codes.shape)).sum())
        if args.add_fixed_variants and c["kind"] == "add":
            (_, _, sa, za), (_, _, sb, zb) = c["ins"]
            for v in ("plain", "fma_a", "fma_b"):
                got = sim_add(c["arrays"]["a"], c["arrays"]["b"], sa, za, sb, zb, *c["out"], variant=v)
                t.setdefault("fixed_" + v, 0)
                t["fixed_" + v] += int((ort_codes != got.reshape(ort_codes.shape)).sum())
        if not args.ort_only:
            mine = float_to_codes(run_octet(args.octet_run, c, tmp), *c["out"])
            t["ort_vs_octet"] += int((ort_codes != mine.reshape(ort_codes.shape)).sum())
    print("| op | models | codes | ORT vs formula | ORT vs octet |" + (" fixed plain / fma_a / fma_b |"
                                                                      if args.add_fixed_variants else ""))
    for k, t in totals.items():
        extra = ""
        if args.add_fixed_variants:
            extra = f" {t.get('fixed_plain', '-')} / {t.get('fixed_fma_a', '-')} / {t.get('fixed_fma_b', '-')} |"
        print(f"| {k} | {t['models']} | {t['codes']} | {t['ort_vs_formula']} | "
              f"{'-' if args.ort_only else t['ort_vs_octet']} |{extra}")
        bad |= t["ort_vs_formula"] > 0 or (not args.ort_only and t["ort_vs_octet"] > 0)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
