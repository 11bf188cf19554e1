"""The diagnosis of a job: its conditions, pure functions of its config and its epochs.

Each family's module documents its thresholds and why: `inputs` (the data and the softmax),
`layers` (the hidden layers), `learning` (the learning curve); `causes` says which condition
follows from which.
"""

from collections.abc import Callable, Sequence

from analysis.conditions import inputs, layers, learning
from analysis.conditions.base import Condition
from analysis.conditions.causes import linked
from analysis.epochs import EpochResult
from models.spec import JobConfig

__all__ = ["Condition", "diagnose"]

Rule = Callable[[JobConfig, Sequence[EpochResult]], list[Condition]]
RULES: tuple[Rule, ...] = (
    inputs.saturated_softmax,
    inputs.clipped_stall,
    layers.dead_units,
    layers.saturated_units,
    layers.vanishing_gradients,
    layers.tiny_steps,
    learning.exploded,
    learning.at_chance,
    learning.overfitting,
    learning.unstable,
    learning.still_improving,
    inputs.tiny_inputs,
)


def diagnose(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Every condition the epochs so far show, in the order of RULES, each with the condition
    it follows from; none before epoch 0."""
    if not epochs:
        return []
    return linked([condition for rule in RULES for condition in rule(config, epochs)])
