#!/bin/sh
# Runs every tool on the hostile models of make_hostile.py (one or more per class of issue 17)
# with the default limits, under a virtual memory ulimit (KiB; 0 skips it: AddressSanitizer
# reserves terabytes of address space) and a 30 s timeout per command. Each case must either
# exit 1 with a clean error naming the node and op (or the file), or exit 0 with the same
# output on the optimised runtime as on the reference executor; and none may take more than
# 1 GiB of memory (max RSS, when /usr/bin/time is there). Prints one line per command:
#   class | result | seconds (wall) | CPU seconds and max RSS (KiB; "-" without /usr/bin/time) | command
# A file that is not a model must be refused in under a second of CPU time: the wall time of a
# tool's start on a machine loaded by a parallel ctest can pass a second by itself.
#
# usage: run_hostile.sh TOOLS_DIR DATA_FILE MODELS_DIR ULIMIT_KIB
set -u
tools=$1 data=$2 models=$3 vmem=$4
failures=0 cases=0
python=/usr/bin/python3; [ -x "$python" ] || python=python3
rss_file=$models/rss.txt

# run COMMAND...: runs it under the limits; sets status, err (stderr), seconds, cpu and rss.
run() {
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    err=$( (if [ "$vmem" != 0 ]; then ulimit -v "$vmem"; fi
            exec /usr/bin/time -f "%M %U %S" -o "$rss_file" timeout 30 "$@") 2>&1 >/dev/null)
    status=$?
    rss=$(tail -n 1 "$rss_file" | awk '{ print $1 }')
    cpu=$(tail -n 1 "$rss_file" | awk '{ printf "%.2f", $2 + $3 }')
    [ -n "$rss" ] || rss=- cpu=-
  else
    err=$( (if [ "$vmem" != 0 ]; then ulimit -v "$vmem"; fi; exec timeout 30 "$@") 2>&1 >/dev/null)
    status=$?
    rss=- cpu=-
  fi
  seconds=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
}

# report CLASS OK DETAIL COMMAND...: one table line; a failure also prints DETAIL.
report() {
  class=$1 ok=$2 detail=$3; shift 3
  # A file that is not a model is refused before reading: in well under a second of CPU time.
  took=$cpu; [ "$took" != - ] || took=$seconds
  if [ "$class" = file ] && [ "$(echo "$took" | awk '{ print ($1 >= 1) }')" = 1 ]; then
    ok=0 detail="took ${took}s, not under 1 s; $detail"
  fi
  # No tool takes more than 1 GiB with the default limits.
  if [ "$rss" != - ] && [ "$rss" -gt 1048576 ]; then
    ok=0 detail="max RSS ${rss} KiB, over 1 GiB; $detail"
  fi
  cases=$((cases + 1))
  if [ "$ok" = 1 ]; then result=ok; else result="FAIL(exit $status)"; failures=$((failures + 1)); fi
  printf '%-11s | %-14s | %6ss | %6s | %8s | %s\n' "$class" "$result" "$seconds" "$cpu" "$rss" "$*"
  [ "$ok" = 1 ] || echo "     $detail"
}

# expect CLASS NEEDLE... -- COMMAND...: exit status 1 and every needle in stderr.
expect() {
  class=$1; shift
  needles=""
  while [ "$1" != "--" ]; do needles="$needles|$1"; shift; done
  shift
  run "$@"
  ok=1
  [ "$status" = 1 ] || ok=0
  old_ifs=$IFS; IFS='|'
  for needle in $needles; do
    [ -z "$needle" ] && continue
    case "$err" in *"$needle"*) ;; *) ok=0 ;; esac
  done
  IFS=$old_ifs
  report "$class" "$ok" "stderr: $err" "$@"
}

# expect_ok CLASS COMMAND...: exit status 0.
expect_ok() {
  class=$1; shift
  run "$@"
  ok=1
  [ "$status" = 0 ] || ok=0
  report "$class" "$ok" "stderr: $err" "$@"
}

# same_as_reference CLASS MODEL: octet-eval on the optimised runtime and on the reference
# executor both exit 0 and save the same outputs (within 1e-6, relative above 1).
same_as_reference() {
  class=$1 m=$2
  expect_ok "$class" "$tools/octet-eval" --model "$m" $eval_flags --save-probs "$m.opt.f32"
  expect_ok "$class" "$tools/octet-eval" --model "$m" $eval_flags --reference --save-probs "$m.ref.f32"
  run "$python" -c '
import struct, sys
a, b = (open(f, "rb").read() for f in sys.argv[1:3])
assert len(a) == len(b) and len(a) > 0, "sizes %d and %d" % (len(a), len(b))
x, y = (struct.unpack("<%df" % (len(a) // 4), s) for s in (a, b))
worst = max(abs(p - q) / max(1.0, abs(q)) for p, q in zip(x, y))
assert worst <= 1e-6, "differ by %g" % worst
' "$m.opt.f32" "$m.ref.f32"
  ok=1
  [ "$status" = 0 ] || ok=0
  report "$class" "$ok" "$err" "compare $m.opt.f32 $m.ref.f32 (1e-6)"
}

eval_flags="--data $data --limit 8 --batch 4"
printf '%-11s | %-14s | %7s | %6s | %8s | %s\n' class result seconds "CPU s" "RSS KiB" command

# Memory and cost beyond the default limits.
m=$models/constant_of_shape_from_pixel.onnx
expect memory "node 'fill' (ConstantOfShape" "memory limit" -- "$tools/octet-eval" --model "$m" $eval_flags --reference
expect memory "node 'fill' (ConstantOfShape" "memory limit" -- "$tools/octet-run" --model "$m" --random --batch 4 --reference
# The optimised runtime does not run a Slice that drops the batch: refused before running.
expect memory "node 'slice' (Slice" -- "$tools/octet-eval" --model "$m" $eval_flags

# all_tools CLASS MODEL NEEDLE...: octet-eval on both executors, octet-run, octet-compile and
# octet-inspect --plan all refuse MODEL with every needle in the message.
all_tools() {
  class=$1 m=$2; shift 2
  expect "$class" "$@" -- "$tools/octet-eval" --model "$m" $eval_flags
  expect "$class" "$@" -- "$tools/octet-eval" --model "$m" $eval_flags --reference
  expect "$class" "$@" -- "$tools/octet-run" --model "$m" --random --batch 4
  expect "$class" "$@" -- "$tools/octet-compile" "$m" -o "${m%.onnx}.octet"
  expect "$class" "$@" -- "$tools/octet-inspect" "$m" --plan
}

all_tools memory "$models/conv_huge_pads.onnx" "node 'conv' (Conv" "memory limit"
all_tools cost "$models/maxpool_2p20.onnx" "node 'pool' (MaxPool" "cost limit"
all_tools cost "$models/conv_3p5e12_macs.onnx" "node 'conv' (Conv" "cost limit"

# QDQ pairs before a float consumer, at an ordinary and at degenerate scales.
for m in qdq_scale_half qdq_scale_1e_45 qdq_scale_3e38; do
  same_as_reference qdq "$models/$m.onnx"
done

# Windows that lie entirely in padding.
all_tools pad-only "$models/maxpool_pad_only.onnx" "node 'pool' (MaxPool" "entirely in padding"
all_tools pad-only "$models/averagepool_pad_only.onnx" "node 'pool' (AveragePool" "entirely in padding"
all_tools pad-only "$models/conv_pad_only.onnx" "node 'conv' (Conv" "entirely in padding"

# Slice at the int64 extremes: on the input, both run it (the optimised runtime hands the
# negative step to the reference executor inside the plan, reference_slice) and agree; on a
# constant, both run it (folded) and agree.
m=$models/slice_extreme_steps.onnx
expect_ok slice "$tools/octet-inspect" "$m"
same_as_reference slice "$m"
same_as_reference slice "$models/slice_extreme_steps_constant.onnx"

# Nodes ONNX makes invalid: refused at import, the same way by every tool.
all_tools validation "$models/add_three_inputs.onnx" "node 'add3' (Add" "2 inputs"
all_tools validation "$models/maxpool_storage_order_5.onnx" "node 'pool' (MaxPool" "storage_order"

# Files that are not model or data files: refused by path before reading.
good=$models/qdq_scale_half.onnx
expect file "/dev/zero" "not a regular file" -- "$tools/octet-inspect" /dev/zero
expect file "/dev/zero" "not a regular file" -- "$tools/octet-eval" --model /dev/zero $eval_flags
expect file "/dev/zero" "not a regular file" -- "$tools/octet-compile" /dev/zero -o "$models/zero.octet"
expect file "/dev/zero" "not a regular file" -- "$tools/octet-run" --model /dev/zero --random
# -o naming a FIFO (or /dev/null): refused before writing, and the node is left in place
# (octet-compile removes a written file that does not load; never a device or FIFO).
fifo=$models/out.fifo
rm -f "$fifo"; mkfifo "$fifo"
expect file "$fifo" "not a regular file" -- "$tools/octet-compile" "$good" -o "$fifo"
[ -p "$fifo" ] || { echo "     octet-compile removed the FIFO $fifo"; failures=$((failures + 1)); }
rm -f "$fifo"
expect file "$models" "is a directory" -- "$tools/octet-eval" --model "$good" --data "$models" --limit 8
expect file "$models" "is a directory" -- "$tools/octet-eval" --model "$models" $eval_flags

# u8s8 quantization of denormal weights: the compiled file loads.
m=$models/conv_denormal_weights.onnx
expect_ok denormal "$tools/octet-compile" "$m" -o "${m%.onnx}.octet" --scheme u8s8 --calib-per-class 2 --no-autotune
expect_ok denormal "$tools/octet-inspect" "${m%.onnx}.octet" --plan

[ "$failures" = 0 ] || { echo "$failures of $cases hostile case(s) failed"; exit 1; }
echo "all $cases hostile cases gave a clean error or the reference's result"
