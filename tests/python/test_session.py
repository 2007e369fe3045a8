"""octet.Session on ResNet8: results against ONNX Runtime's and the C API's, the input forms,
the errors, and the interpreter lock released while a model runs."""
import os
import subprocess
import threading

import numpy as np
import pytest

import octet
from conftest import DATA, run_all, tool


def test_probabilities_match_onnx_runtime(resnet8, test_images):
    images, _ = test_images
    probs = run_all(resnet8, images)
    ort = np.fromfile(os.path.join(DATA, "ort-1.30-fp32-test-first1000.probs.f32"), np.float32).reshape(-1, 10)
    # tests/test_golden_resnet8.cpp's tolerance for the optimised runtime
    assert np.abs(probs - ort).max() <= 1e-5
    assert (probs.argmax(1) == ort.argmax(1)).all()


@pytest.mark.parametrize("scheme", ["fp32", "u8s8"])
def test_outputs_equal_the_c_apis_bit_for_bit(resnet8, u8s8, test_images, tmp_path, scheme):
    model = resnet8 if scheme == "fp32" else u8s8
    images = test_images[0][:64]
    path = str(tmp_path / "m.octet")
    model.save(path)
    images.tofile(tmp_path / "in.f32")
    subprocess.run([tool("octet-c-api-run"), path, str(tmp_path / "in.f32"), str(tmp_path / "out.f32")], check=True)
    c_api = np.fromfile(tmp_path / "out.f32", np.float32).reshape(-1, 10)
    # The same plan: the model (compiled once, kept) and the .octet file it wrote.
    assert np.array_equal(run_all(model, images, batch=64), c_api)
    assert np.array_equal(run_all(octet.load(path), images, batch=64), c_api)


def test_single_array_equals_dict_and_converts_dtypes(resnet8, test_images):
    images = test_images[0][:4]
    session = octet.Session(resnet8, max_batch=4)
    by_name = session.run({"input_1": images})
    assert list(by_name) == ["dense"]
    out = by_name["dense"]
    assert out.dtype == np.float32 and out.shape == (4, 10) and out.flags.c_contiguous and out.flags.owndata
    assert np.array_equal(session.run(images)["dense"], out)
    assert np.array_equal(session.run(images.astype(np.float64))["dense"], out)   # converted
    assert np.array_equal(session.run(images.astype(np.uint8))["dense"], out)     # raw pixels are integers
    fortran = np.asfortranarray(images)
    assert np.array_equal(session.run(fortran)["dense"], out)                     # made C-contiguous
    assert np.allclose(out.sum(1), 1.0, atol=1e-5)                                # softmax rows


def test_input_errors(resnet8):
    session = octet.Session(resnet8, max_batch=2)
    image = np.zeros((1, 32, 32, 3), np.float32)
    with pytest.raises(KeyError, match="no input 'pixels'"):
        session.run({"input_1": image, "pixels": image})
    with pytest.raises(KeyError, match="input 'input_1' not given"):
        session.run({"pixels": image})
    with pytest.raises(ValueError, match=r"shape \[1,3,32,32\]; the model takes \[-1,32,32,3\]"):
        session.run(np.zeros((1, 3, 32, 32), np.float32))
    with pytest.raises(ValueError, match="batch of 3 images; this session takes 1 to 2"):
        session.run(np.zeros((3, 32, 32, 3), np.float32))
    with pytest.raises(ValueError, match="input 'input_1' has dtype <U1"):
        session.run(np.array(["x"]))
    with pytest.raises(octet.Error, match="threads"):
        octet.Session(resnet8, threads=0)


def test_the_lock_is_released_while_a_model_runs(resnet8, test_images):
    """A long run on one thread; the main thread runs its own session meanwhile. Were the
    interpreter lock held by run(), the main thread could not run Python while the long run lasts."""
    images = test_images[0]
    long_session = octet.Session(resnet8, max_batch=len(images))
    short_session = octet.Session(resnet8)
    started, done = threading.Event(), threading.Event()

    def long_run():
        started.set()
        long_session.run(images)
        done.set()

    worker = threading.Thread(target=long_run)
    worker.start()
    started.wait()
    runs_meanwhile = 0
    while not done.is_set():
        short_session.run(images[:1])
        runs_meanwhile += 1
    worker.join()
    assert runs_meanwhile >= 5


def test_threads_may_share_a_session(resnet8, test_images):
    images = test_images[0][:8]
    session = octet.Session(resnet8, max_batch=8)
    expected = session.run(images)["dense"]
    results = [None] * 4

    def run(k):
        for _ in range(5):
            results[k] = session.run(images)["dense"]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(r, expected) for r in results)
