"""The probe: the fixed sample every job is measured on, and the limits its diagnostics use."""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from models.spec import JobConfig

PROBE_SIZE = 1024
# The probe's fixed rule: this generator seed and the job's train size, nothing else, so every
# job of an experiment with the same train size is probed on the same images.
PROBE_SEED = 1_024
# Keras' epsilon: under `clipped_probabilities` a sample whose true-class probability is at or
# below it gets a clipped log and no gradient.
CLIP = 1e-7
CLIP_TEXT = f"{CLIP:.0e}".replace("e-0", "e-")
# A unit is in its flat region when its derivative is below this share of the derivative's
# maximum: there a gradient passing through it is cut a hundredfold.
FLAT_DERIVATIVE = 0.01
# The derivative of each saturating activation as a function of its output, and its maximum.
Derivative = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
DERIVATIVES: dict[str, tuple[Derivative, float]] = {
    "sigmoid": (lambda a: a * (1 - a), 0.25),
    "tanh": (lambda a: 1 - a * a, 1.0),
}


def probe_images(config: JobConfig) -> int:
    """How many training images the job's probe holds."""
    return min(PROBE_SIZE, config.dataset.train_size)
