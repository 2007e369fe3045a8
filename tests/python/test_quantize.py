"""Model.quantize from NumPy calibration data against the C++ path (octet-quantize on the same
images), its calibration input forms, save and export_qdq."""
import os
import subprocess

import numpy as np

import octet
from conftest import DATA, RESNET8, eval_cifar, run_all, tool


def test_u8s8_equals_octet_quantize(u8s8, test_images, tmp_path):
    ours, theirs = str(tmp_path / "python.qdq.onnx"), str(tmp_path / "cpp.qdq.onnx")
    u8s8.export_qdq(ours)
    subprocess.run([tool("octet-quantize"), "--model", RESNET8, "--scheme", "u8s8", "--out", theirs, "--no-report"],
                   check=True, stdout=subprocess.DEVNULL)
    assert open(ours, "rb").read() == open(theirs, "rb").read()
    # And the files run alike. (They are compared with each other: a model read back from a
    # QDQ file differs from the one quantized in memory in the last bits of some outputs.)
    python, cpp = octet.load(ours), octet.load(theirs)
    assert cpp.scheme == "qdq"
    images = test_images[0][:200]
    assert np.array_equal(run_all(python, images), run_all(cpp, images))


def test_calibration_forms_agree(resnet8, calibration_images, test_images):
    """MinMax ranges do not depend on how the images are batched or handed over."""
    calibration_images = calibration_images[::10]   # 100 images: five quantizations stay quick
    images = test_images[0][:50]
    expected = run_all(resnet8.quantize(calibration_images, "u8s8"), images, batch=50)
    batches = [calibration_images[i:i + 16] for i in range(0, len(calibration_images), 16)]
    forms = {
        "list": [calibration_images],
        "generator": (b for b in batches),
        "dicts": iter([{"input_1": b} for b in batches]),
        "float64": calibration_images.astype(np.float64),
    }
    for form, calib in forms.items():
        q = resnet8.quantize(calib, scheme="u8s8")
        assert np.array_equal(run_all(q, images, batch=50), expected), form


def test_save_and_reload(u8s8, test_images, tmp_path):
    path = str(tmp_path / "resnet8.octet")
    u8s8.save(path)
    loaded = octet.load(path)
    assert loaded.scheme == "u8s8"
    assert loaded.inputs[0].name == "input_1"
    assert ".octet model, scheme u8s8" in loaded.describe()
    images = test_images[0][:20]
    assert np.array_equal(run_all(loaded, images, batch=20), run_all(u8s8, images, batch=20))


def test_methods_equal_octet_quantize(resnet8, tmp_path):
    """Each calibration method gives the QDQ file octet-quantize writes, byte for byte; the
    clipping methods give files of their own (their ranges differ from MinMax's). Calibrated on
    the first 10 training images per class, to keep eight calibrations quick."""
    images, labels = eval_cifar.read_cifar(os.path.join(DATA, "cifar10-train-subset.bin"))
    calib = images[eval_cifar.first_per_class(labels, 10)]
    files = {}
    for method, extra in (("minmax", []), ("percentile", ["--percentile", "99.9"]), ("entropy", []), ("mse", [])):
        ours, theirs = str(tmp_path / f"python.{method}.onnx"), str(tmp_path / f"cpp.{method}.onnx")
        percentile = 99.9 if method == "percentile" else 99.99
        resnet8.quantize(calib, scheme="u8s8", method=method, percentile=percentile).export_qdq(ours)
        subprocess.run([tool("octet-quantize"), "--model", RESNET8, "--scheme", "u8s8", "--out", theirs, "--no-report",
                        "--calib-per-class", "10", "--method", method] + extra, check=True, stdout=subprocess.DEVNULL)
        files[method] = open(ours, "rb").read()
        assert files[method] == open(theirs, "rb").read(), method
    assert len(set(files.values())) == 4


def test_per_channel_equals_octet_quantize(resnet8, calibration_images, test_images, tmp_path):
    """per_channel=True: the same QDQ file as octet-quantize --per-channel, and it runs alike."""
    q = resnet8.quantize(calibration_images, scheme="int8", per_channel=True)
    assert q.scheme == "int8 per-channel"
    ours, theirs = str(tmp_path / "python.qdq.onnx"), str(tmp_path / "cpp.qdq.onnx")
    q.export_qdq(ours)
    subprocess.run([tool("octet-quantize"), "--model", RESNET8, "--scheme", "int8", "--per-channel", "--out", theirs,
                    "--no-report"], check=True, stdout=subprocess.DEVNULL)
    assert open(ours, "rb").read() == open(theirs, "rb").read()
    images = test_images[0][:200]
    assert np.array_equal(run_all(octet.load(ours), images), run_all(octet.load(theirs), images))
    # Per channel is a different model from per tensor: some outputs differ.
    assert not np.array_equal(run_all(q, images), run_all(resnet8.quantize(calibration_images, "int8"), images))
