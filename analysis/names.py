"""Every diagnostic's name, once: what it measures in plain words, and its unit.

Names are dotted, `<subject>.<measure>`: `input` (the preprocessed inputs, epoch 0 only),
`output` (the output layer), `hidden_<k>` (the k-th hidden layer, from 1), `probe` (the loss on
the probe). The worker measures them (worker.diagnostics), the job_diagnostics table stores them
long and narrow, and the report writes them in words with the raw name kept in its evidence.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from analysis.probe import CLIP_TEXT


class Unit(StrEnum):
    """How a value reads: a share prints as a percentage, the rest as a number."""

    SHARE = "share"
    RATIO = "ratio"
    NORM = "norm"
    VALUE = "value"


@dataclass(frozen=True)
class Measure:
    """What one measure of one kind of subject says, in words (`{layer}` for the layer's)."""

    words: str
    unit: Unit


INPUT, OUTPUT, PROBE, HIDDEN = "input", "output", "probe", "hidden"
# (kind of subject, measure): `hidden` stands for every hidden_<k>.
MEASURES: dict[tuple[str, str], Measure] = {
    (INPUT, "mean"): Measure("the inputs' mean", Unit.VALUE),
    (INPUT, "std"): Measure("the inputs' spread (standard deviation)", Unit.VALUE),
    (INPUT, "min"): Measure("the smallest input", Unit.VALUE),
    (INPUT, "max"): Measure("the largest input", Unit.VALUE),
    (OUTPUT, "logit_std"): Measure("the logits' spread", Unit.VALUE),
    (OUTPUT, "logit_max_abs"): Measure("the largest logit", Unit.VALUE),
    (OUTPUT, "clipped_true_share"): Measure(
        f"the share of probe images at the {CLIP_TEXT} clip", Unit.SHARE
    ),
    (OUTPUT, "saturated_share"): Measure(
        "the share of probe images with a saturated softmax", Unit.SHARE
    ),
    (HIDDEN, "saturated_share"): Measure(
        "the share of {layer}'s outputs in the flat region", Unit.SHARE
    ),
    (HIDDEN, "dead_share"): Measure("the share of dead units in {layer}", Unit.SHARE),
    (HIDDEN, "zero_share"): Measure("the share of zero activations in {layer}", Unit.SHARE),
    (HIDDEN, "activation_mean"): Measure("the mean activation of {layer}", Unit.VALUE),
    (HIDDEN, "activation_std"): Measure("the activations' spread in {layer}", Unit.VALUE),
    (HIDDEN, "grad_norm"): Measure("the gradient reaching {layer}", Unit.NORM),
    (OUTPUT, "grad_norm"): Measure("the gradient reaching {layer}", Unit.NORM),
    (HIDDEN, "weight_norm"): Measure("the size of {layer}'s weights", Unit.NORM),
    (OUTPUT, "weight_norm"): Measure("the size of {layer}'s weights", Unit.NORM),
    (HIDDEN, "update_ratio"): Measure("how far an epoch moved {layer}'s weights", Unit.RATIO),
    (OUTPUT, "update_ratio"): Measure("how far an epoch moved {layer}'s weights", Unit.RATIO),
    (PROBE, "loss"): Measure("the loss on the probe images", Unit.VALUE),
    (PROBE, "chance_loss"): Measure("the loss of a uniform guess", Unit.VALUE),
}
_NAME = re.compile(r"^(input|output|probe|hidden_[1-9][0-9]?)\.([a-z_]+)$")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _kind(subject: str) -> str:
    return HIDDEN if subject.startswith(f"{HIDDEN}_") else subject


def name(subject: str, measure: str) -> str:
    """`hidden_1` and `dead_share` -> `hidden_1.dead_share`; the pair must be known."""
    if (_kind(subject), measure) not in MEASURES:
        raise KeyError(f"{subject}.{measure}")
    return f"{subject}.{measure}"


def hidden(number: int) -> str:
    """The subject name of the k-th hidden layer, counted from 1."""
    return f"{HIDDEN}_{number}"


def _parts(full: str) -> tuple[str, Measure] | None:
    match = _NAME.match(full)
    if match is None:
        return None
    found = MEASURES.get((_kind(match.group(1)), match.group(2)))
    return None if found is None else (match.group(1), found)


def is_known(full: str) -> bool:
    """Whether a name is one the worker measures (for any depth of network)."""
    return _parts(full) is not None


def layer_words(subject: str) -> str:
    """`hidden_1` -> 'the first hidden layer'; `output` -> 'the output layer'."""
    if subject.startswith(f"{HIDDEN}_"):
        number = int(subject.removeprefix(f"{HIDDEN}_"))
        ordinal = ORDINALS[number - 1] if number <= len(ORDINALS) else f"{number}th"
        return f"the {ordinal} hidden layer"
    return f"the {subject} layer"


def words(full: str) -> str:
    """A diagnostic in plain words: `hidden_1.dead_share` -> 'the share of dead units in the
    first hidden layer'; an unknown name is returned as it is."""
    parts = _parts(full)
    if parts is None:
        return full
    subject, measure = parts
    return measure.words.format(layer=layer_words(subject))


def unit(full: str) -> Unit:
    """A diagnostic's unit; VALUE for a name not in the registry."""
    parts = _parts(full)
    return parts[1].unit if parts else Unit.VALUE


INPUT_STD = name(INPUT, "std")
LOGIT_STD = name(OUTPUT, "logit_std")
CLIPPED_TRUE_SHARE = name(OUTPUT, "clipped_true_share")
SOFTMAX_SATURATED_SHARE = name(OUTPUT, "saturated_share")
OUTPUT_GRAD_NORM = name(OUTPUT, "grad_norm")
PROBE_LOSS = name(PROBE, "loss")
FIRST = hidden(1)
# Carried on the job's row as well (Job.diagnostics_first/_last): the diagnostics that tell a
# stuck run from a slow one at a glance, before training and after the last finished epoch.
SUMMARY_DIAGNOSTICS = (
    PROBE_LOSS,
    LOGIT_STD,
    CLIPPED_TRUE_SHARE,
    SOFTMAX_SATURATED_SHARE,
    OUTPUT_GRAD_NORM,
    name(FIRST, "dead_share"),
    name(FIRST, "update_ratio"),
)
