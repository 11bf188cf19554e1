"""Training diagnostics as pure numpy functions over what a probe pass measured.

Each function returns named values for the long `job_diagnostics` table; analysis.names holds
every name, its words and its unit.
"""

import math

import numpy as np
import numpy.typing as npt

from analysis.names import INPUT, OUTPUT, name
from analysis.probe import CLIP, DERIVATIVES, FLAT_DERIVATIVE, PROBE_SEED, PROBE_SIZE

Array = npt.NDArray[np.floating]


def probe_indices(train_size: int) -> npt.NDArray[np.int64]:
    """The probe sample: up to 1,024 training indices drawn by a fixed generator, sorted."""
    rng = np.random.default_rng(PROBE_SEED)
    return np.sort(rng.choice(train_size, size=min(PROBE_SIZE, train_size), replace=False))


def input_stats(images: Array) -> dict[str, float]:
    """Mean, std, min and max of the preprocessed inputs."""
    values = images.astype(np.float64)
    return {
        name(INPUT, "mean"): float(values.mean()),
        name(INPUT, "std"): float(values.std()),
        name(INPUT, "min"): float(values.min()),
        name(INPUT, "max"): float(values.max()),
    }


def softmax(logits: Array) -> npt.NDArray[np.float64]:
    """Row-wise softmax in float64, shifted by the row maximum so it cannot overflow."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    result: npt.NDArray[np.float64] = exps / exps.sum(axis=1, keepdims=True)
    return result


def output_stats(logits: Array, labels: npt.NDArray[np.integer]) -> dict[str, float]:
    """Spread of the logits, and the shares of clipped and saturated probe samples."""
    probabilities = softmax(logits)
    true_class = probabilities[np.arange(len(labels)), labels]
    return {
        name(OUTPUT, "logit_std"): float(logits.astype(np.float64).std()),
        name(OUTPUT, "logit_max_abs"): float(np.abs(logits).max()),
        name(OUTPUT, "clipped_true_share"): float((true_class <= CLIP).mean()),
        name(OUTPUT, "saturated_share"): float((probabilities.max(axis=1) >= 1 - CLIP).mean()),
    }


def hidden_stats(layer: str, activations: Array) -> dict[str, float]:
    """Dead units (zero on every probe sample), zero activations, mean and std."""
    zero = activations == 0
    return {
        name(layer, "dead_share"): float(zero.all(axis=0).mean()),
        name(layer, "zero_share"): float(zero.mean()),
        name(layer, "activation_mean"): float(activations.astype(np.float64).mean()),
        name(layer, "activation_std"): float(activations.astype(np.float64).std()),
    }


def saturated_share(layer: str, activation: str, activations: Array) -> dict[str, float]:
    """For a saturating activation (sigmoid, tanh), the share of unit-sample pairs whose
    derivative is below 1% of its maximum; nothing for any other activation."""
    if activation not in DERIVATIVES:
        return {}
    derivative, maximum = DERIVATIVES[activation]
    slopes = derivative(activations.astype(np.float64))
    return {name(layer, "saturated_share"): float((slopes < FLAT_DERIVATIVE * maximum).mean())}


def global_norm(arrays: list[Array]) -> float:
    """The Euclidean norm of several arrays taken together."""
    return math.sqrt(sum(float(np.square(a.astype(np.float64)).sum()) for a in arrays))


def layer_stats(
    layer: str, gradients: list[Array], weights: list[Array], previous: list[Array] | None
) -> dict[str, float]:
    """Gradient norm, weight norm and, after an epoch, how far the epoch moved the weights."""
    stats = {
        name(layer, "grad_norm"): global_norm(gradients),
        name(layer, "weight_norm"): global_norm(weights),
    }
    if previous is not None:
        moved = global_norm([now - before for now, before in zip(weights, previous, strict=True)])
        before = global_norm(previous)
        stats[name(layer, "update_ratio")] = moved / before if before else math.inf
    return stats
