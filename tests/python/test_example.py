"""examples/python/eval_cifar.py prints the numbers `octet-eval --quantize all` prints on the
bundled data (README, "Python"): per scheme and data file, the correct count, accuracy, change
from FP32 and agreement with FP32, and the model size."""
import os
import re
import subprocess
import sys

from conftest import DATA, RESNET8, SOURCE_DIR, tool

SCHEMES = ("fp32", "uint8", "int8", "u8s8")
NUMBERS = re.compile(r"\(\d+/\d+\)|[-+]?\d+\.\d+ %|\d+\.\d+ KB")


def example_rows(text):
    """{scheme: [numbers of the first data file, of the second]} of eval_cifar.py's tables."""
    rows = {s: [] for s in SCHEMES}
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in rows:
            rows[words[0]].append(NUMBERS.findall(line))
    return rows


def octet_eval_rows(text):
    """The same of octet-eval's table: one row per scheme, the size first, then one column
    group per data file (separated by '|')."""
    rows = {}
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in SCHEMES and "|" in line:
            size, *files = line.split("|")
            rows[words[0]] = [NUMBERS.findall(f) + NUMBERS.findall(size) for f in files]
    return rows


def test_example_table_equals_octet_eval():
    example = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "python", "eval_cifar.py")],
                             check=True, capture_output=True, text=True).stdout
    table = subprocess.run([tool("octet-eval"), "--model", RESNET8, "--quantize", "all", "--threads", "2",
                            "--data", os.path.join(DATA, "cifar10-test-first1000.bin"),
                            "--data", os.path.join(DATA, "cifar10-train-subset.bin")],
                           check=True, capture_output=True, text=True).stdout
    ours, theirs = example_rows(example), octet_eval_rows(table)
    assert set(theirs) == set(SCHEMES), table
    for scheme in SCHEMES:
        assert len(ours[scheme]) == 2 and all(ours[scheme]), example
        assert ours[scheme] == theirs[scheme], f"{scheme}:\n{example}\n{table}"
