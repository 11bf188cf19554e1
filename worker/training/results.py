"""What training reports back, and the hooks it calls; no TensorFlow here."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from analysis.epochs import EpochResult


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
