"""Shared fixtures of the Python module's tests (run by the ctest `python`, which sets
PYTHONPATH to build/python and OCTET_BINARY_DIR to the build folder)."""
import os
import sys

import numpy as np
import pytest

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SOURCE_DIR, "data")
RESNET8 = os.path.join(DATA, "resnet8.onnx")
BINARY_DIR = os.environ.get("OCTET_BINARY_DIR", os.path.join(SOURCE_DIR, "build"))

sys.path.insert(0, os.path.join(SOURCE_DIR, "examples", "python"))
import eval_cifar  # noqa: E402  (the example's CIFAR reader and calibration choice)

import octet  # noqa: E402


def tool(name):
    """A program of the build; the test fails, naming it, when it is not built."""
    for folder in ("tools", "bench"):
        path = os.path.join(BINARY_DIR, folder, name)
        if os.path.exists(path):
            return path
    pytest.fail(f"{name} not found under {BINARY_DIR}: build it (cmake --build build --target {name})")


@pytest.fixture(scope="session")
def resnet8():
    return octet.load(RESNET8)


@pytest.fixture(scope="session")
def test_images():
    """The 1000 bundled test images (float32 NHWC) and labels."""
    return eval_cifar.read_cifar(os.path.join(DATA, "cifar10-test-first1000.bin"))


@pytest.fixture(scope="session")
def calibration_images():
    """octet-eval's and octet-quantize's calibration set: the first 100 training images per class."""
    images, labels = eval_cifar.read_cifar(os.path.join(DATA, "cifar10-train-subset.bin"))
    return images[eval_cifar.first_per_class(labels, 100)]


@pytest.fixture(scope="session")
def u8s8(resnet8, calibration_images):
    return resnet8.quantize(calibration_images, scheme="u8s8")


def run_all(model, images, batch=100):
    """The first output of `model` on every image, `batch` per run."""
    session = octet.Session(model, max_batch=batch)
    name = model.outputs[0].name
    return np.concatenate([session.run({model.inputs[0].name: images[i:i + batch]})[name]
                           for i in range(0, len(images), batch)])
