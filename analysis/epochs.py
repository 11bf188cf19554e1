"""One epoch as the analysis reads it: its figures and its diagnostics."""

import math
from dataclasses import dataclass, field


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
