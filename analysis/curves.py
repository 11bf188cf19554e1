"""Learning-curve summaries of one job, pure functions over its epochs.

Thresholds, and why:
- `stuck` by a flat curve: after at least two trained epochs the train loss is still above
  ln 10 = 2.303 (the loss of a uniform guess over the ten classes, which any run that learns at
  all leaves behind within an epoch) and it moved by less than 10% of its epoch-1 value.
- `stuck` by clipping: under `clipped_probabilities`, at least half of the probe samples have a
  true-class probability at or below 1e-7 after every trained epoch; those samples give no
  gradient, so at most half the data can still teach the model anything.
- `diverged_epoch`, the first epoch at which the train or test loss is NaN or infinite, or
  more than 10 times its epoch-0 value. Ten times: with /255 inputs the epoch-0 loss is near
  ln 10 = 2.3, and 23 is beyond the largest loss the clipped computation can give at all
  (-ln 1e-7 = 16.1), so no stall or saturation reaches it; only weights thrown far off by
  too large a step do. A finite explosion still lets the run end; NaN ends it failed.
"""

import math
from collections.abc import Sequence

import numpy as np

from analysis.epochs import EpochResult
from analysis.names import CLIPPED_TRUE_SHARE
from models.job import CurveSummary
from models.limits import CHANCE_LOSS
from models.spec import LossMode

ACCURACY_TARGETS = {"epochs_to_accuracy_80": 0.80, "epochs_to_accuracy_85": 0.85}
FLAT_RELATIVE_CHANGE = 0.10
CLIPPED_SHARE_STUCK = 0.5
EXPLOSION_FACTOR = 10.0


def _finite(epochs: Sequence[EpochResult]) -> list[EpochResult]:
    return [e for e in epochs if e.finite]


def _exploded(start: float, now: float) -> bool:
    return not math.isfinite(now) or (math.isfinite(start) and now > EXPLOSION_FACTOR * start)


def exploded_epoch(epochs: Sequence[EpochResult]) -> int | None:
    """The first epoch whose train or test loss is not finite or over 10x its epoch-0 value."""
    if not epochs:
        return None
    first = epochs[0]
    return next(
        (
            e.epoch
            for e in epochs
            if _exploded(first.loss, e.loss) or _exploded(first.test_loss, e.test_loss)
        ),
        None,
    )


def first_epoch_reaching(epochs: Sequence[EpochResult], accuracy: float) -> int | None:
    """The first trained epoch whose test accuracy reaches `accuracy`."""
    return next((e.epoch for e in epochs if e.epoch > 0 and e.test_accuracy >= accuracy), None)


def train_loss_auc(epochs: Sequence[EpochResult]) -> float | None:
    """Trapezoidal area under the train loss over epochs 0..last; None if any is not finite."""
    if len(epochs) < 2 or len(_finite(epochs)) != len(epochs):
        return None
    return float(np.trapezoid([e.loss for e in epochs], [e.epoch for e in epochs]))


def is_stuck(epochs: Sequence[EpochResult], mode: LossMode) -> bool:
    """Whether the run is stuck rather than slow; see the module's docstring for the rules."""
    trained = _finite([e for e in epochs if e.epoch > 0])
    if len(trained) >= 2:
        first, last = trained[0].loss, trained[-1].loss
        if last > CHANCE_LOSS and abs(first - last) < FLAT_RELATIVE_CHANGE * first:
            return True
    shares = [e.diagnostics.get(CLIPPED_TRUE_SHARE) for e in trained]
    return (
        mode == "clipped_probabilities"
        and bool(shares)
        and all(s is not None and s >= CLIPPED_SHARE_STUCK for s in shares)
    )


def curve_summary(epochs: Sequence[EpochResult], mode: LossMode) -> CurveSummary:
    """Best test figures and their epochs, epochs to accuracy targets, AUC, stuck, divergence."""
    finite = _finite(epochs)
    best_loss = min(finite, key=lambda e: e.test_loss, default=None)
    best_accuracy = max(finite, key=lambda e: e.test_accuracy, default=None)
    reached = {
        name: first_epoch_reaching(finite, target) for name, target in ACCURACY_TARGETS.items()
    }
    return CurveSummary(
        best_test_loss=best_loss.test_loss if best_loss else None,
        best_test_loss_epoch=best_loss.epoch if best_loss else None,
        best_test_accuracy=best_accuracy.test_accuracy if best_accuracy else None,
        best_test_accuracy_epoch=best_accuracy.epoch if best_accuracy else None,
        train_loss_auc=train_loss_auc(epochs),
        stuck=is_stuck(epochs, mode),
        diverged_epoch=exploded_epoch(epochs),
        **reached,
    )
