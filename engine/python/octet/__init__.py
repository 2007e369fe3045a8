"""octet: an inference engine for ONNX CNNs on the CPU.

    import numpy as np, octet
    model = octet.load("data/resnet8.onnx")           # ONNX (float or QDQ) or .octet
    session = octet.Session(model, threads=1, max_batch=8)
    probs = session.run(np.zeros((1, 32, 32, 3), np.float32))["dense"]   # {output name: array}
    q = model.quantize(calibration_images, scheme="u8s8")   # MinMax, per tensor (method="entropy", ...)
    q.save("resnet8.octet")

The classes and functions are those of the extension module octet._octet (C++, pybind11).
"""
from ._octet import Error, Model, Session, TensorInfo, __version__, load

__all__ = ["Error", "Model", "Session", "TensorInfo", "__version__", "load"]
