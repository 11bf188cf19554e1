"""What training reports back, and the hooks it calls; no TensorFlow here."""

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class EpochResult:
    """One epoch's figures; epoch 0 is the evaluation before any training."""

    epoch: int
    loss: float
    accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    diagnostics: dict[str, float] = field(default_factory=dict)

    @property
    def finite(self) -> bool:
        """Whether both losses are finite numbers."""
        return math.isfinite(self.loss) and math.isfinite(self.test_loss)


class Ending(StrEnum):
    """How a training run ended."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class TrainingOutcome:
    """How the run ended and the last epoch it finished."""

    ending: Ending
    epoch: int


class TrainingHooks(Protocol):
    """What the training loop calls back into: recording epochs and asking whether to stop."""

    def on_epoch(self, result: EpochResult) -> None:
        """Record a finished epoch."""

    def on_progress(self, batches_done: int, batches_total: int) -> None:
        """Note how far into the current epoch training is."""

    def should_stop(self) -> bool:
        """Whether the run was cancelled; called between batches."""
