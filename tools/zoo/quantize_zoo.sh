#!/usr/bin/env bash
# Quantizes every model of the zoo (docs/zoo.md) with octet and writes the QDQ files that
# docs/quantization.md ("The zoo, quantized") measures: u8s8, per tensor (M.pt.onnx) and per
# channel (M.pc.onnx), MinMax, calibrated on the model's own 8 inputs (M.inputs.npy).
#
#   tools/zoo/quantize_zoo.sh [ZOO_DIR] [OUT_DIR]
#       ZOO_DIR  the exported zoo (tools/zoo/make_zoo.py; default build/zoo)
#       OUT_DIR  default ZOO_DIR/qdq
# Environment: OCTET_RUN (default build/tools/octet-run). Then, for instance:
#   node bench/peers/compare_model.js OUT_DIR/*.pt.onnx --threads 1 --rounds 5 --markdown
#   node bench/peers/qdq_agreement.js OUT_DIR/mobilenet_v2.pt.onnx=ZOO_DIR/mobilenet_v2.inputs.npy
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
root="$(cd "$(dirname "$0")/../.." && pwd)"
zoo="${1:-$root/build/zoo}"
out="${2:-$zoo/qdq}"
run="${OCTET_RUN:-$root/build/tools/octet-run}"
[ -x "$run" ] || { echo "quantize_zoo.sh: $run not built (tools/octet-setup build)" >&2; exit 1; }
[ -f "$zoo/manifest.json" ] || { echo "quantize_zoo.sh: no zoo in $zoo (tools/zoo/make_zoo.py $zoo)" >&2; exit 1; }
mkdir -p "$out"
# The zoo's main files: the opset and layout variants (M_opset11, M_nhwc) repeat their model.
for model in "$zoo"/*.onnx; do
  name="$(basename "$model" .onnx)"
  case "$name" in *_opset1[0-9]|*_nhwc) continue ;; esac
  for g in pt pc; do
    flag=(); [ "$g" = pc ] && flag=(--per-channel)
    echo "quantize_zoo.sh: $name ($g)"
    "$run" --model "$model" --quantize u8s8 "${flag[@]}" --calib "$zoo/$name.inputs.npy" \
      --save-qdq "$out/$name.$g.onnx" --random > /dev/null
  done
done
echo "quantize_zoo.sh: QDQ files in $out"
