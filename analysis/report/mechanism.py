"""What differs inside two configs besides their figures: their conditions and key diagnostics.

A difference between two configs is explained by what the diagnosis found in one and not in the
other, with the same diagnostic read on both sides so the sentence carries both numbers.
"""

from dataclasses import dataclass
from typing import Any

from analysis.report.groups import ConfigGroup, GroupCondition
from models.condition import ConditionKind

# Diagnostics compared between any two configs, at the epoch that tells most: the inputs and the
# untrained logits before training, the first layer's step in epoch 1, the rest at the end.
KEY_DIAGNOSTICS = (
    ("input.std", "first"),
    ("output.logit_std", "first"),
    ("hidden_1.update_ratio", "one"),
    ("output.clipped_true_share", "last"),
    ("hidden_1.dead_share", "last"),
    ("output.grad_norm", "last"),
)
# A key diagnostic is worth a sentence when one side is at least this many times the other.
NOTABLE_RATIO = 2.0
SHARE_SUFFIX = "_share"


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
    names = [name for name in thresholds if "." in name]
    if not names:
        return None
    epochs = evidence.get("epochs") or []
    return names[0], epochs[-1] if epochs and isinstance(epochs[-1], int) else None


def value_text(name: str, value: float | None) -> str:
    """A diagnostic's value: shares as percentages, others to three significant digits."""
    if value is None:
        return "n/a"
    return f"{100 * value:.0f}%" if name.endswith(SHARE_SUFFIX) else f"{value:.3g}"


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
    name, epoch = source
    value = other.diagnostic(other.last_epoch if epoch is None else epoch, name)
    return ConditionContrast(holder, other, condition, value, name)


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
    for name, when in KEY_DIAGNOSTICS:
        epoch = epoch_of(a, when)
        table[name] = {
            "epoch": epoch,
            "a": a.diagnostic(epoch, name),
            "b": b.diagnostic(epoch, name),
        }
    return table


def notable(table: dict[str, dict[str, float | int | None]]) -> list[str]:
    """Key diagnostics where one config has at least twice the other's value, as phrases."""
    phrases = []
    for name, row in table.items():
        a, b = row["a"], row["b"]
        if a is None or b is None or min(abs(a), abs(b)) == 0:
            continue
        ratio = max(abs(a), abs(b)) / min(abs(a), abs(b))
        if ratio >= NOTABLE_RATIO:
            phrases.append(
                f"{name} at epoch {row['epoch']} {value_text(name, a)} against "
                f"{value_text(name, b)} ({ratio:.1f}x)"
            )
    return phrases
