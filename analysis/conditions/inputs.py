"""Conditions of the inputs and the output layer: what the data does to the softmax.

Thresholds, and why:
- `saturated_softmax` (problem): before training, at least half of the probe samples have a
  top softmax probability within 1e-7 of 1 (`output.saturated_share` >= 0.5). Such a sample's
  logits are tens of units apart: the inputs are too large for the initial weights, and its
  first gradients say only "this one confident guess is wrong". Half: then most of the data
  starts in that state, not a few outliers.
- `clipped_stall` (problem): under `clipped_probabilities`, at least half of the probe samples
  have a true-class probability at or below the 1e-7 clip after every trained epoch (the rule
  of `stuck` in analysis.curves). A clipped sample gives exactly zero gradient, so the run is
  stuck rather than slow: at most half the data can still move the weights.
- `tiny_inputs` (note, or problem in a run at chance): the inputs' standard deviation is below
  0.01, two orders of magnitude below 1. A first-layer weight then moves that layer's output by
  a hundredth of what the same step does on unit-scale inputs, so learning is slow: a note while
  the run learns, the problem (and the cause of `at_chance`) when it does not.
"""

from collections.abc import Sequence

from analysis.conditions.base import Condition, Values, evidence, measured, number, trained
from analysis.conditions.learning import is_at_chance
from analysis.curves import CLIPPED_SHARE_STUCK
from analysis.epochs import EpochResult
from analysis.names import CLIPPED_TRUE_SHARE, INPUT_STD, LOGIT_STD, SOFTMAX_SATURATED_SHARE
from analysis.probe import CLIP_TEXT, probe_images
from models.condition import ConditionKind, ConditionName
from models.spec import JobConfig

SATURATED_SOFTMAX_SHARE = 0.5
TINY_INPUT_STD = 0.01


def saturated_softmax(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Most probe samples start with a saturated softmax."""
    share = measured(epochs[0], SOFTMAX_SATURATED_SHARE)
    if share is None or share < SATURATED_SOFTMAX_SHARE:
        return []
    spread = measured(epochs[0], LOGIT_STD)
    statement = (
        f"Before training, {share:.0%} of the {probe_images(config):,} probe images have a "
        f"saturated softmax (top probability within {CLIP_TEXT} of 1; logit spread "
        f"{number(spread or 0.0)}): the inputs are too large for the initial weights."
    )
    values = {SOFTMAX_SATURATED_SHARE: share, LOGIT_STD: spread}
    thresholds = {SOFTMAX_SATURATED_SHARE: SATURATED_SOFTMAX_SHARE}
    found = evidence(values, thresholds, [0])
    return [Condition(ConditionName.SATURATED_SOFTMAX, ConditionKind.PROBLEM, 0, statement, found)]


def clipped_stall(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Under clipped probabilities, most probe samples sit at the clip after every epoch."""
    after = trained(epochs)
    shares = [measured(e, CLIPPED_TRUE_SHARE) for e in after]
    if config.loss.mode != "clipped_probabilities" or not after:
        return []
    if any(share is None or share < CLIPPED_SHARE_STUCK for share in shares):
        return []
    low, high = min(s for s in shares if s is not None), max(s for s in shares if s is not None)
    spread = f"{low:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%} to {high:.0%}"
    statement = (
        f"Under clipped_probabilities, {spread} of the {probe_images(config):,} probe images "
        f"sit at the {CLIP_TEXT} clip after every epoch (1 to {after[-1].epoch}): they give no "
        "gradient, so the run is stuck, not slow."
    )
    values: Values = {CLIPPED_TRUE_SHARE: list(shares)}
    thresholds = {CLIPPED_TRUE_SHARE: CLIPPED_SHARE_STUCK}
    found = evidence(values, thresholds, [e.epoch for e in after])
    return [Condition(ConditionName.CLIPPED_STALL, ConditionKind.PROBLEM, 1, statement, found)]


def tiny_inputs(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """The inputs' spread is orders of magnitude below 1."""
    std = measured(epochs[0], INPUT_STD)
    if std is None or std >= TINY_INPUT_STD:
        return []
    after = trained(epochs)
    stopped = bool(after) and is_at_chance(config, after[-1])
    statement = (
        f"The inputs' standard deviation is {number(std)}, over two orders of magnitude below 1: "
        "each optimizer step moves the first layer's output little, so learning is slow"
        + (", here too slow to leave chance." if stopped else ".")
    )
    found = evidence({INPUT_STD: std}, {INPUT_STD: TINY_INPUT_STD}, [0])
    kind = ConditionKind.PROBLEM if stopped else ConditionKind.NOTE
    return [Condition(ConditionName.TINY_INPUTS, kind, 0, statement, found)]
