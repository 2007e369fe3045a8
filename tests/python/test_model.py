"""octet.load, Model's properties and the errors of loading and quantizing."""
import re

import numpy as np
import pytest

import octet
from conftest import RESNET8


def test_version_is_the_c_apis():
    assert re.fullmatch(r"\d+\.\d+(\.\d+)*", octet.__version__)


def test_inputs_and_outputs(resnet8):
    assert [i.name for i in resnet8.inputs] == ["input_1"]
    assert resnet8.inputs[0].shape == (None, 32, 32, 3)
    assert resnet8.inputs[0].dtype == np.float32
    assert [o.name for o in resnet8.outputs] == ["dense"]
    assert resnet8.outputs[0].shape == (None, 10)
    assert "input_1" in repr(resnet8.inputs[0])


def test_describe_scheme_source(resnet8):
    assert resnet8.scheme == "fp32"
    assert not resnet8.is_quantized
    assert resnet8.source.endswith("resnet8.onnx")
    text = resnet8.describe()
    assert text.splitlines()[0].endswith("ONNX model, scheme fp32")
    assert "Conv" in text


def test_missing_file_is_an_octet_error(tmp_path):
    missing = str(tmp_path / "nowhere.onnx")
    with pytest.raises(octet.Error, match="nowhere.onnx"):
        octet.load(missing)
    assert issubclass(octet.Error, RuntimeError)


def test_not_a_model_is_an_octet_error(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(octet.Error, match="junk.onnx"):
        octet.load(str(junk))


def test_unimplemented_or_wrong_quantization_options_are_refused(resnet8):
    images = np.zeros((2, 32, 32, 3), np.float32)
    with pytest.raises(ValueError, match="per_channel=True needs scheme 'int8' or 'u8s8'"):
        resnet8.quantize(images, scheme="uint8", per_channel=True)
    with pytest.raises(ValueError, match="unknown method 'kl'"):
        resnet8.quantize(images, method="kl")
    with pytest.raises(ValueError, match="percentile=0.*outside"):
        resnet8.quantize(images, method="percentile", percentile=0)
    with pytest.raises(ValueError, match="unknown scheme 'u4'"):
        resnet8.quantize(images, scheme="u4")


def test_quantized_model_cannot_be_quantized_again(u8s8, calibration_images):
    assert u8s8.scheme == "u8s8" and u8s8.is_quantized
    with pytest.raises(octet.Error, match="resnet8.onnx"):
        u8s8.quantize(calibration_images[:10])


def test_calibration_batch_errors_name_the_problem(resnet8):
    with pytest.raises(KeyError, match="no array for input 'input_1'"):
        resnet8.quantize(iter([{"x": np.zeros((1, 32, 32, 3), np.float32)}]))
    with pytest.raises(ValueError, match="dtype <U1"):
        resnet8.quantize(iter([np.array(["a"])]))
