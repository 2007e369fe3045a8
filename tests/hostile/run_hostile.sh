#!/bin/sh
# Runs every tool on the hostile models of make_hostile.py with the default limits: each
# command must exit 1 within 30 s, naming the node, the op and the limit, under a virtual
# memory ulimit (KiB; 0 skips it: AddressSanitizer reserves terabytes of address space).
#
# usage: run_hostile.sh TOOLS_DIR DATA_FILE MODELS_DIR ULIMIT_KIB
set -u
tools=$1 data=$2 models=$3 vmem=$4
failures=0

# expect NEEDLE... -- COMMAND...: exit status 1 and every needle in stderr.
expect() {
  needles=""
  while [ "$1" != "--" ]; do needles="$needles|$1"; shift; done
  shift
  start=$(date +%s)
  err=$( (if [ "$vmem" != 0 ]; then ulimit -v "$vmem"; fi; exec timeout 30 "$@") 2>&1 >/dev/null)
  status=$?
  seconds=$(( $(date +%s) - start ))
  ok=1
  [ "$status" = 1 ] || ok=0
  old_ifs=$IFS; IFS='|'
  for needle in $needles; do
    [ -z "$needle" ] && continue
    case "$err" in *"$needle"*) ;; *) ok=0 ;; esac
  done
  IFS=$old_ifs
  if [ "$ok" = 1 ]; then
    echo "ok   (${seconds}s) $*"
  else
    echo "FAIL (exit $status, ${seconds}s) $*"
    echo "     stderr: $err"
    failures=$((failures + 1))
  fi
}

eval_flags="--data $data --limit 2 --batch 2"
m=$models/constant_of_shape_from_pixel.onnx
expect "node 'fill' (ConstantOfShape" "memory limit" -- "$tools/octet-eval" --model "$m" $eval_flags --reference

m=$models/conv_huge_pads.onnx
for run in "$tools/octet-eval --model $m $eval_flags" "$tools/octet-eval --model $m $eval_flags --reference" \
           "$tools/octet-compile $m -o $models/conv_huge_pads.octet" "$tools/octet-inspect $m --plan"; do
  # shellcheck disable=SC2086
  expect "node 'conv' (Conv" "memory limit" -- $run
done

m=$models/maxpool_2p20.onnx
for run in "$tools/octet-eval --model $m $eval_flags" "$tools/octet-eval --model $m $eval_flags --reference" \
           "$tools/octet-compile $m -o $models/maxpool_2p20.octet" "$tools/octet-inspect $m --plan"; do
  # shellcheck disable=SC2086
  expect "node 'pool' (MaxPool" "cost limit" -- $run
done

[ "$failures" = 0 ] || { echo "$failures hostile case(s) failed"; exit 1; }
echo "all hostile cases refused cleanly"
