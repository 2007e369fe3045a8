# Type stubs of the package octet (the extension module octet._octet).
from typing import Iterable, Mapping, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

Batch = Union[npt.ArrayLike, Sequence[npt.ArrayLike], Mapping[str, npt.ArrayLike]]

class Error(RuntimeError):
    """octet's error (a bad file, an unsupported operator, a failed check), with its message."""

class TensorInfo:
    """A model input or output as a caller feeds or reads it."""
    @property
    def name(self) -> str: ...
    @property
    def shape(self) -> tuple[int | None, ...]:
        """Sizes, None where the model leaves one open (the batch)."""
    @property
    def dtype(self) -> np.dtype | None: ...

class Model:
    """A model loaded by octet.load."""
    @property
    def source(self) -> str: ...
    @property
    def scheme(self) -> str:
        """'fp32', 'qdq', 'uint8', 'int8', 'u8s8', or what a .octet file records."""
    @property
    def is_quantized(self) -> bool: ...
    @property
    def inputs(self) -> list[TensorInfo]: ...
    @property
    def outputs(self) -> list[TensorInfo]: ...
    def describe(self) -> str: ...
    def quantize(
        self,
        calib: Union[npt.ArrayLike, Sequence[np.ndarray], Iterable[Batch]],
        scheme: str = "u8s8",
        per_channel: bool = False,
        method: str = "minmax",
        percentile: float = 99.99,
    ) -> Model:
        """The model quantized from calibration data (method: minmax, percentile, entropy or mse;
        weights per tensor, or per channel)."""
    def compile(self, *, autotune: bool = True) -> None: ...
    def save(self, path: str) -> None:
        """Write the compiled plan as a .octet file."""
    def export_qdq(self, path: str) -> None:
        """Write a quantized model as a QDQ ONNX file."""

class Session:
    """Runs a model on this CPU; the interpreter lock is released while it runs."""
    def __init__(self, model: Model, threads: int = 1, max_batch: int = 1) -> None: ...
    def run(
        self, inputs: Union[npt.ArrayLike, Mapping[str, npt.ArrayLike]]
    ) -> dict[str, npt.NDArray[np.float32]]: ...

def load(path: str) -> Model:
    """Load an ONNX model (float or QDQ) or a .octet file."""
