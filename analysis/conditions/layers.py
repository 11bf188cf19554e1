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
- `vanishing_gradients` (problem, about hidden_1): in a run at chance at its last epoch, the
  first hidden layer's gradient norm is below 5% of the output layer's from the named epoch to
  the last. Across depths of 1 to 8 layers, relu, tanh and sigmoid, SGD and Adam
  (docs/diagnosis.md), every run that learned kept the ratio above 0.2 and every run at chance
  with a vanishing gradient had it at 0.013 or below: 5% sits a factor of four from both. A
  layer whose units are dead is left to `dead_units`, which explains it.
- `tiny_steps` (problem, about hidden_1): in a run at chance, not at the clip, whose gradient
  does not vanish and whose first layer is not dead, the last epoch moved the first layer's
  weights by less than 0.4% of their norm. Every run that learned moved it by 0.67% or more
  (SGD at 0.001 the least, of 54 measured); the runs at chance with small steps moved it by
  0.25% (three sigmoid layers under SGD at 0.01) and 0.019% (SGD at 1e-5): the step size, not
  the data, keeps them there.
"""

from collections.abc import Sequence

from analysis.conditions.base import Condition, evidence, held_since, measured, number, trained
from analysis.conditions.learning import at_clip, is_at_chance
from analysis.epochs import EpochResult
from analysis.names import FIRST, OUTPUT_GRAD_NORM, hidden, name
from analysis.probe import DERIVATIVES, probe_images
from models.condition import ConditionKind, ConditionName
from models.spec import JobConfig

DEAD_SHARE = 0.5
# Activations whose output is exactly zero over a whole half-line: only they can have dead units.
ZERO_ACTIVATIONS = ("relu",)
SATURATED_SHARE = 0.5
GRADIENT_RATIO = 0.05
TINY_STEP = 0.004


def _share_condition(
    diagnostic: str, threshold: float, epochs: Sequence[EpochResult]
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
        layer = hidden(number_)
        held = _share_condition(name(layer, "dead_share"), DEAD_SHARE, epochs)
        if held is None:
            continue
        since, shares = held
        statement = (
            f"{shares[-1]:.0%} of {layer}'s {units:,} units are dead (zero on all "
            f"{probe_images(config):,} probe images) from epoch {since}."
        )
        proof = evidence(
            {name(layer, "dead_share"): shares},
            {name(layer, "dead_share"): DEAD_SHARE},
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
        layer = hidden(number_)
        diagnostic = name(layer, "saturated_share")
        held = _share_condition(diagnostic, SATURATED_SHARE, epochs)
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


def _ratio(epoch: EpochResult) -> tuple[float, float] | None:
    """hidden_1's gradient norm and the output layer's, if hidden_1's is below 5% of it."""
    first = measured(epoch, name(FIRST, "grad_norm"))
    output = measured(epoch, OUTPUT_GRAD_NORM)
    dead = measured(epoch, name(FIRST, "dead_share")) or 0.0
    if first is None or output is None or not output > 0 or dead >= DEAD_SHARE:
        return None
    return (first, output) if first < GRADIENT_RATIO * output else None


def vanishing_gradients(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """In a run at chance, the first layer gets orders of magnitude less gradient than the
    output layer."""
    after = trained(epochs)
    if not after or not is_at_chance(config, after[-1]):
        return []
    since = held_since(after, lambda e: _ratio(e) is not None)
    figures = _ratio(after[-1])
    if since is None or figures is None:
        return []
    first, output = figures
    statement = (
        f"From epoch {since}, the gradient reaching the first hidden layer is {number(first)} "
        f"against the output layer's {number(output)} ({first / output:.1%} of it), in a "
        f"network of {len(config.model.hidden_layers)} {config.model.activation} layers that "
        "learned nothing: the gradient vanishes on its way back to the first layer."
    )
    values = {name(FIRST, "grad_norm"): first, OUTPUT_GRAD_NORM: output}
    thresholds = {"grad_norm_ratio": GRADIENT_RATIO}
    proof = evidence(values | {"grad_norm_ratio": first / output}, thresholds, [after[-1].epoch])
    kind = ConditionKind.PROBLEM
    return [Condition(ConditionName.VANISHING_GRADIENTS, kind, since, statement, proof, FIRST)]


def tiny_steps(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """In a run at chance, neither dead nor with a vanishing gradient, the first layer barely
    moves: the steps are too small."""
    after = trained(epochs)
    if not after or not is_at_chance(config, after[-1]) or _ratio(after[-1]) is not None:
        return []
    last = after[-1]
    if at_clip(config, last):  # no gradient at all there: the clip, not the step, stops it
        return []
    moved = measured(last, name(FIRST, "update_ratio"))
    dead = measured(last, name(FIRST, "dead_share")) or 0.0
    if moved is None or moved >= TINY_STEP or dead >= DEAD_SHARE:
        return []
    training = config.training
    statement = (
        f"Epoch {last.epoch} moved the first hidden layer's weights by {moved:.2%} of their norm "
        f"({training.optimizer} at learning rate {training.learning_rate:g}), in a run at "
        "chance: the steps are too small for it to leave chance."
    )
    key = name(FIRST, "update_ratio")
    proof = evidence({key: moved}, {key: TINY_STEP}, [last.epoch])
    kind = ConditionKind.PROBLEM
    return [Condition(ConditionName.TINY_STEPS, kind, last.epoch, statement, proof, FIRST)]
