"""Input preprocessing, pure numpy in float32; statistics are fitted on the training images."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.spec import PreprocessingSpec

Floats = npt.NDArray[np.float32]
Pixels = npt.NDArray[np.uint8]

# TensorFlow shares, rather than copies, the memory of an array that starts on this boundary
# (worker.training.loop.as_tensor), so a job's data is not copied again on its way in.
ALIGNMENT = 64


def aligned_empty(shape: tuple[int, ...]) -> Floats:
    """An uninitialized C-ordered float32 array whose data starts on an ALIGNMENT boundary."""
    size = int(np.prod(shape)) * np.dtype(np.float32).itemsize
    buffer = np.empty(size + ALIGNMENT, np.uint8)
    start = -buffer.ctypes.data % ALIGNMENT
    return buffer[start : start + size].view(np.float32).reshape(shape)


@dataclass(frozen=True)
class Affine:
    """x -> (x - shift) / scale, elementwise; shift and scale broadcast over the images."""

    shift: Floats
    scale: Floats

    def apply(self, images: Pixels) -> Floats:
        """Transform images into a new aligned float32 array, never through a float64 copy."""
        out = aligned_empty(images.shape)
        out[...] = images
        out -= self.shift
        out /= self.scale
        return out


def _constant(shift: float, scale: float) -> Affine:
    return Affine(np.array(shift, dtype=np.float32), np.array(scale, dtype=np.float32))


def _per_pixel_std(train: Pixels) -> Affine:
    mean = train.mean(axis=0, dtype=np.float64)
    std = train.std(axis=0, dtype=np.float64)
    # A pixel that is constant over the training set has std 0: divide by 1 instead, so it
    # becomes exactly 0 rather than NaN.
    std[std == 0] = 1.0
    return Affine(mean.astype(np.float32), std.astype(np.float32))


def fit(spec: PreprocessingSpec, train: Pixels) -> Affine:
    """Fit the transform of `spec` on the training images."""
    spec = spec.resolved()
    if spec.method == "none":
        return _constant(0.0, 1.0)
    if spec.method == "scale":
        assert spec.divisor is not None
        return _constant(0.0, spec.divisor)
    if spec.method == "center":
        return _constant(127.5, 127.5)
    if spec.method == "minmax":
        low, high = float(train.min()), float(train.max())
        return _constant(low, (high - low) or 1.0)
    if spec.method == "standardize":
        return _constant(train.mean(dtype=np.float64), train.std(dtype=np.float64) or 1.0)
    return _per_pixel_std(train)


def preprocess(spec: PreprocessingSpec, train: Pixels, test: Pixels) -> tuple[Floats, Floats]:
    """Fit on `train`, then transform both sets."""
    transform = fit(spec, train)
    return transform.apply(train), transform.apply(test)
