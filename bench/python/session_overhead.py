#!/usr/bin/python3
"""What octet.Session.run costs over the C API: ResNet8, batch 1, one thread.

    PYTHONPATH=build/python python3 bench/python/session_overhead.py [--runs N]

Compiles data/resnet8.onnx once and saves the plan, then times Session.run (NumPy array in,
dict of arrays out) and octet_session_run (build/bench/octet-c-api-run --time, the same .octet
file) on the same image, and prints the median microseconds of each and their difference.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np

import octet

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def median_us_python(session, image, runs):
    for _ in range(100):   # warm-up, as octet-c-api-run does
        session.run(image)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        session.run(image)
        times.append((time.perf_counter() - t0) * 1e6)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--model", default=os.path.join(ROOT, "data", "resnet8.onnx"))
    parser.add_argument("--c-api-run", default=os.path.join(ROOT, "build", "bench", "octet-c-api-run"))
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    plan, image_file = os.path.join(folder, "model.octet"), os.path.join(folder, "image.f32")
    model = octet.load(args.model)
    model.save(plan)
    compiled = octet.load(plan)   # the very plan the C API runs
    rng = np.random.default_rng(0)
    image = rng.uniform(0, 255, (1,) + compiled.inputs[0].shape[1:]).astype(np.float32)
    image.tofile(image_file)

    session = octet.Session(compiled)
    # Alternate the two, so that a load change on the machine affects both alike.
    python_us, c_us = [], []
    for _ in range(3):
        python_us.append(median_us_python(session, image, args.runs))
        out = subprocess.run([args.c_api_run, plan, image_file, os.path.join(folder, "out.f32"),
                              "--time", str(args.runs)], check=True, capture_output=True, text=True).stdout
        c_us.append(float(out.split()[1]))
    py, c = min(python_us), min(c_us)
    print(f"ResNet8 batch 1, 1 thread, median of {args.runs} runs (best of 3 rounds):")
    print(f"  C API octet_session_run  {c:8.1f} us")
    print(f"  Python Session.run       {py:8.1f} us")
    print(f"  Python overhead          {py - c:+8.1f} us")


if __name__ == "__main__":
    main()
