"""Conditions of the hidden layers: dead units, saturated units, vanishing gradients.

Thresholds, and why:
- `dead_units` (problem, per layer): at least half of a ReLU layer's units are zero on every
  probe sample (`hidden_<k>.dead_share` >= 0.5) at the last epoch and every epoch back to the
  one named. A dead unit passes no gradient to its weights, so it cannot come back: half a
  layer gone is half its capacity lost for good, well beyond the 10-20% a healthy run has.
  Only `relu` gives exact zeros; leaky_relu, elu, selu and gelu are zero at one point at most,
  so no unit of theirs is dead on a whole probe.
- `saturated_units` (problem, per layer): in a sigmoid or tanh layer, at least half of the
  unit-sample pairs have a derivative below 1% of its maximum (`hidden_<k>.saturated_share`
  >= 0.5): most of what the layer computes passes a hundredth of the gradient back.
- `vanishing_gradients` (problem, about hidden_1): after an epoch, the first hidden layer's
  gradient norm is below 1% of the output layer's and the epoch moved its weights by less than
  0.1% of their norm (`hidden_1.update_ratio` < 0.001), from the named epoch to the last.
  A healthy run's first layer has a gradient of the output layer's order and moves by a few
  percent an epoch. A layer whose units are dead is left to `dead_units`, which explains it.
"""

from collections.abc import Sequence

from analysis.conditions.base import Condition, evidence, held_since, measured, number, trained
from analysis.conditions.inputs import probe_images
from analysis.epochs import EpochResult
from analysis.probe import DERIVATIVES
from models.condition import ConditionKind, ConditionName
from models.spec import JobConfig

DEAD_SHARE = 0.5
# Activations whose output is exactly zero over a whole half-line: only they can have dead units.
ZERO_ACTIVATIONS = ("relu",)
SATURATED_SHARE = 0.5
GRADIENT_RATIO = 0.01
UPDATE_RATIO = 0.001


def _share_condition(
    name: ConditionName, diagnostic: str, threshold: float, epochs: Sequence[EpochResult]
) -> tuple[int, list[float | None]] | None:
    """Since when the diagnostic has been at or above the threshold, and its values since."""
    since = held_since(epochs, lambda e: (measured(e, diagnostic) or 0.0) >= threshold)
    if since is None:
        return None
    return since, [measured(e, diagnostic) for e in epochs if e.epoch >= since]


def dead_units(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Per ReLU layer: half its units or more are zero on every probe sample."""
    if config.model.activation not in ZERO_ACTIVATIONS:
        return []
    found = []
    for number_, units in enumerate(config.model.hidden_layers, start=1):
        layer = f"hidden_{number_}"
        held = _share_condition(ConditionName.DEAD_UNITS, f"{layer}.dead_share", DEAD_SHARE, epochs)
        if held is None:
            continue
        since, shares = held
        statement = (
            f"{shares[-1]:.0%} of {layer}'s {units:,} units are dead (zero on all "
            f"{probe_images(config):,} probe images) from epoch {since}."
        )
        proof = evidence(
            {f"{layer}.dead_share": shares},
            {f"{layer}.dead_share": DEAD_SHARE},
            [e.epoch for e in epochs if e.epoch >= since],
        )
        kind = ConditionKind.PROBLEM
        found.append(Condition(ConditionName.DEAD_UNITS, kind, since, statement, proof, layer))
    return found


def saturated_units(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Per sigmoid or tanh layer: most unit-sample pairs sit in the flat region."""
    activation = config.model.activation
    if activation not in DERIVATIVES:
        return []
    found = []
    for number_ in range(1, len(config.model.hidden_layers) + 1):
        layer, diagnostic = f"hidden_{number_}", f"hidden_{number_}.saturated_share"
        held = _share_condition(ConditionName.SATURATED_UNITS, diagnostic, SATURATED_SHARE, epochs)
        if held is None:
            continue
        since, shares = held
        statement = (
            f"{shares[-1]:.0%} of {layer}'s unit-image pairs sit in the flat region of "
            f"{activation} (derivative below 1% of its maximum, on {probe_images(config):,} "
            f"probe images) from epoch {since}: they pass back a hundredth of the gradient."
        )
        proof = evidence(
            {diagnostic: shares},
            {diagnostic: SATURATED_SHARE},
            [e.epoch for e in epochs if e.epoch >= since],
        )
        kind = ConditionKind.PROBLEM
        found.append(Condition(ConditionName.SATURATED_UNITS, kind, since, statement, proof, layer))
    return found


def _vanishing(epoch: EpochResult) -> tuple[float, float, float] | None:
    """hidden_1's gradient norm, the output's and hidden_1's update ratio, if they vanish."""
    first = measured(epoch, "hidden_1.grad_norm")
    output = measured(epoch, "output.grad_norm")
    moved = measured(epoch, "hidden_1.update_ratio")
    dead = measured(epoch, "hidden_1.dead_share") or 0.0
    if first is None or output is None or moved is None or not output > 0:
        return None
    if first < GRADIENT_RATIO * output and moved < UPDATE_RATIO and dead < DEAD_SHARE:
        return first, output, moved
    return None


def vanishing_gradients(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """The first layer's gradient is orders of magnitude below the output's, and it barely moves."""
    after = trained(epochs)
    since = held_since(after, lambda e: _vanishing(e) is not None)
    last = after[-1] if after else None
    figures = _vanishing(last) if last is not None else None
    if since is None or last is None or figures is None:
        return []
    first, output, moved = figures
    statement = (
        f"From epoch {since}, hidden_1's gradient norm is {number(first)} against the output "
        f"layer's {number(output)} ({number(first / output)} of it), and epoch {last.epoch} "
        f"moved its weights by {number(moved)} of their norm: the gradient vanishes before "
        "it reaches the first layer."
    )
    values = {"hidden_1.grad_norm": first, "output.grad_norm": output}
    thresholds = {"grad_norm_ratio": GRADIENT_RATIO, "hidden_1.update_ratio": UPDATE_RATIO}
    proof = evidence(values | {"hidden_1.update_ratio": moved}, thresholds, [last.epoch])
    name, kind = ConditionName.VANISHING_GRADIENTS, ConditionKind.PROBLEM
    return [Condition(name, kind, since, statement, proof, "hidden_1")]
