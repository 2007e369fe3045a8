#!/usr/bin/python3
"""ResNet8's CIFAR-10 accuracy, FP32 and quantized, with octet's Python module.

Prints the table `octet-eval --quantize all` prints on the bundled data (the same numbers):

    PYTHONPATH=build/python python3 examples/python/eval_cifar.py

Calibration uses the first 100 training images of each class, in file order (octet-eval's
--calib-per-class 100); the training file is then scored on the images calibration did not see.
"""
import argparse
import os
import tempfile

import numpy as np

import octet

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")


def read_cifar(path):
    """(images float32 [N,32,32,3] raw pixels 0..255 (NHWC), labels uint8 [N]) of a CIFAR-10 binary file."""
    records = np.fromfile(path, np.uint8).reshape(-1, 1 + 3 * 32 * 32)   # label, then R, G, B planes
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32)
    return np.ascontiguousarray(images), records[:, 0]


def first_per_class(labels, per_class):
    """Indices of the first `per_class` images of each class, in file order."""
    taken, picked = np.zeros(10, int), []
    for i, label in enumerate(labels):
        if taken[label] < per_class:
            taken[label] += 1
            picked.append(i)
    return np.array(picked)


def predict(model, images, batch=32, threads=2):
    """Top-1 class of every image, `batch` images per run."""
    session = octet.Session(model, threads=threads, max_batch=batch)
    name = model.outputs[0].name
    return np.concatenate([session.run(images[i:i + batch])[name].argmax(1) for i in range(0, len(images), batch)])


def qdq_bytes(model, path):
    """Size of the model as an ONNX file: the FP32 file's own, the QDQ export of a quantized one."""
    if model.is_quantized:
        out = os.path.join(tempfile.mkdtemp(), "model.onnx")
        model.export_qdq(out)
        path = out
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(DATA, "resnet8.onnx"))
    parser.add_argument("--test", default=os.path.join(DATA, "cifar10-test-first1000.bin"))
    parser.add_argument("--calib", default=os.path.join(DATA, "cifar10-train-subset.bin"))
    args = parser.parse_args()

    fp32 = octet.load(args.model)
    train_images, train_labels = read_cifar(args.calib)
    calib = first_per_class(train_labels, 100)
    unseen = np.setdiff1d(np.arange(len(train_labels)), calib)
    sets = [(os.path.basename(args.test) + " (1000 images)", *read_cifar(args.test)),
            (f"{os.path.basename(args.calib)} ({len(unseen)} images not used for calibration)",
             train_images[unseen], train_labels[unseen])]
    models = {"fp32": fp32}
    for scheme in ("uint8", "int8", "u8s8"):
        models[scheme] = fp32.quantize(train_images[calib], scheme=scheme)
    sizes = {name: qdq_bytes(m, args.model) for name, m in models.items()}

    print(f"calibration: {len(calib)} images (first 100 per class)")
    for title, images, labels in sets:
        print(title)
        print(f"  {'scheme':8} {'accuracy':>18} {'vs fp32':>10} {'agreement':>12} {'size':>10} {'reduction':>10}")
        base = predict(fp32, images)
        for name, model in models.items():
            pred = base if name == "fp32" else predict(model, images)
            correct = int((pred == labels).sum())
            acc = 100.0 * correct / len(labels)
            base_acc = 100.0 * (base == labels).mean()
            delta = "-" if name == "fp32" else f"{acc - base_acc:+.2f} %"
            agree = "-" if name == "fp32" else f"{100.0 * (pred == base).mean():.2f} %"
            reduction = "-" if name == "fp32" else f"{sizes['fp32'] / sizes[name]:.2f}x"
            print(f"  {name:8} {acc:6.2f} % ({correct}/{len(labels)}) {delta:>10} {agree:>12} "
                  f"{sizes[name] / 1000:7.1f} KB {reduction:>10}")


if __name__ == "__main__":
    main()
