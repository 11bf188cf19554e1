"""What differs inside two configs besides their figures: their conditions and key diagnostics.

A difference between two configs is explained by what the diagnosis found in one and not in the
other, with the same diagnostic read on both sides so the sentence carries both numbers.
"""

from dataclasses import dataclass
from typing import Any

from analysis.names import (
    CLIPPED_TRUE_SHARE,
    FIRST,
    INPUT_STD,
    LOGIT_STD,
    OUTPUT_GRAD_NORM,
    name,
    words,
)
from analysis.report.groups import ConfigGroup, GroupCondition
from analysis.report.wording import shown, value_text
from models.condition import ConditionKind

# Diagnostics compared between any two configs, at the epoch that tells most: the inputs and the
# untrained logits before training, the first layer's step in epoch 1, the rest at the end.
KEY_DIAGNOSTICS = (
    (INPUT_STD, "first"),
    (LOGIT_STD, "first"),
    (name(FIRST, "update_ratio"), "one"),
    (CLIPPED_TRUE_SHARE, "last"),
    (name(FIRST, "dead_share"), "last"),
    (OUTPUT_GRAD_NORM, "last"),
)
# A key diagnostic is worth a sentence when one side is at least this many times the other.
NOTABLE_RATIO = 2.0


@dataclass(frozen=True)
class ConditionContrast:
    """A condition most seeds of `holder` show and most seeds of `other` do not."""

    holder: ConfigGroup
    other: ConfigGroup
    condition: GroupCondition
    other_value: float | None
    diagnostic: str | None


def epoch_of(group: ConfigGroup, when: str) -> int:
    """The epoch a key diagnostic is read at: 0, 1, or the last trained one."""
    return {"first": 0, "one": min(1, group.last_epoch)}.get(when, group.last_epoch)


def primary(evidence: dict[str, Any]) -> tuple[str, int | None] | None:
    """The diagnostic a condition rests on (the first one held against a threshold) and the
    last epoch it was read at, from the evidence the worker stored."""
    thresholds = evidence.get("thresholds") or {}
    names = [key for key in thresholds if "." in key]
    if not names:
        return None
    epochs = evidence.get("epochs") or []
    return names[0], epochs[-1] if epochs and isinstance(epochs[-1], int) else None


def contrasts(a: ConfigGroup, b: ConfigGroup) -> list[ConditionContrast]:
    """Conditions held by most seeds of one config and not by most seeds of the other."""
    found = []
    for holder, other in ((a, b), (b, a)):
        theirs = {(c.name, c.subject) for c in other.conditions() if c.majority}
        for condition in holder.conditions():
            if condition.majority and (condition.name, condition.subject) not in theirs:
                found.append(_contrast(holder, other, condition))
    return sorted(found, key=lambda c: c.condition.kind != ConditionKind.PROBLEM)


def _contrast(
    holder: ConfigGroup, other: ConfigGroup, condition: GroupCondition
) -> ConditionContrast:
    source = primary(condition.evidence)
    if source is None:
        return ConditionContrast(holder, other, condition, None, None)
    diagnostic, epoch = source
    value = other.diagnostic(other.last_epoch if epoch is None else epoch, diagnostic)
    return ConditionContrast(holder, other, condition, value, diagnostic)


def contrast_text(contrast: ConditionContrast) -> str:
    """'x/255, lr 0.1: <statement> (against 0% in x/255, lr 0.001)'."""
    text = f"{contrast.holder.label}: {contrast.condition.statement.rstrip('.')}"
    if contrast.diagnostic is not None:
        value = value_text(contrast.diagnostic, contrast.other_value)
        text += f" (against {value} in {contrast.other.label})"
    return text + "."


def key_differences(a: ConfigGroup, b: ConfigGroup) -> dict[str, dict[str, float | int | None]]:
    """Key diagnostics of both configs, each at its telling epoch."""
    table: dict[str, dict[str, float | int | None]] = {}
    for diagnostic, when in KEY_DIAGNOSTICS:
        epoch = epoch_of(a, when)
        table[diagnostic] = {
            "epoch": epoch,
            "a": a.diagnostic(epoch, diagnostic),
            "b": b.diagnostic(epoch, diagnostic),
        }
    return table


def notable(table: dict[str, dict[str, float | int | None]], labels: tuple[str, str]) -> list[str]:
    """Key diagnostics where one config has at least twice the other's value, in words, each
    ratio taken of the two values as printed."""
    phrases = []
    for key, row in table.items():
        a, b = row["a"], row["b"]
        if a is None or b is None:
            continue
        (text_a, shown_a), (text_b, shown_b) = shown(key, a), shown(key, b)
        low, high = sorted((abs(shown_a), abs(shown_b)))
        if low == 0 or high / low < NOTABLE_RATIO:
            continue
        phrases.append(
            f"{words(key)} at epoch {row['epoch']} is {text_a} in {labels[0]} against "
            f"{text_b} in {labels[1]} ({high / low:.1f}x; {key})"
        )
    return phrases
