"""What a finding is, the thresholds the rules share, and how numbers are written in them."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.report.groups import ConfigGroup
from api.report.statistics import Comparison

CHANCE_LOSS = math.log(10)
CLIPPED_LOSS = -math.log(1e-7)
PIXEL_SCALE_INPUT_MAX = 10.0
SATURATING_LOGIT_RATIO = 10.0
CLIPPED_SHARE = 0.5
DEAD_SHARE = 0.10
SIGNIFICANCE = 0.05

QUESTION_RESCALE = "why rescale at all"
QUESTION_STUCK = "why is the raw loss high rather than slow"
QUESTION_DIVISOR = "why does /1000 do worse than /255"
QUESTION_LOSS = "what the loss has to do with it"
QUESTION_RELU = "what ReLU has to do with it"
QUESTION_NOISE = "can the differences be trusted"


@dataclass
class Finding:
    """A statement, the question of the seed it answers, and the numbers behind it."""

    id: str
    question: str
    statement: str
    evidence: dict[str, Any] = field(default_factory=dict)


def pct(share: float | None) -> str:
    """0.834 -> '83%'."""
    return "n/a" if share is None else f"{100 * share:.0f}%"


def num(value: float | None) -> str:
    """Three significant digits."""
    return "n/a" if value is None else f"{value:.3g}"


def mean(values: Sequence[float]) -> float | None:
    """The mean, or None for no values."""
    return math.fsum(values) / len(values) if values else None


def diff_text(comparison: Comparison, n: int) -> str:
    """'+0.031 (95% CI +0.010 to +0.052, paired t p = 0.004, 5 seeds)'."""
    return (
        f"{comparison.difference:+.3f} (95% CI {comparison.ci_low:+.3f} to "
        f"{comparison.ci_high:+.3f}, {comparison.test} p = {comparison.p:.2g}, {n} seeds)"
    )


def comparison_evidence(comparison: Comparison | None, n: int) -> dict[str, Any]:
    """A comparison's figures for a finding's evidence."""
    if comparison is None:
        return {"n": n, "tested": False}
    return {
        "n": n,
        "test": comparison.test,
        "difference": comparison.difference,
        "ci": [comparison.ci_low, comparison.ci_high],
        "p": comparison.p,
        "effect_size": comparison.effect_size,
    }


def unit_scale(groups: Sequence[ConfigGroup]) -> list[ConfigGroup]:
    """Groups whose preprocessed inputs stay below the pixel-scale threshold."""
    return [
        group
        for group in groups
        if (top := group.diagnostic(0, "input.max")) is not None and top <= PIXEL_SCALE_INPUT_MAX
    ]


def lowest_test_loss(groups: Sequence[ConfigGroup]) -> ConfigGroup | None:
    """The group with the lowest mean final test loss."""
    scored = [(s.mean, g) for g in groups if (s := g.final_summary("test_loss"))]
    return min(scored, key=lambda pair: pair[0])[1] if scored else None


def stuck_majority(group: ConfigGroup) -> bool:
    """Whether more than half of the group's seeds are flagged stuck."""
    return 2 * sum(1 for job in group.jobs if job.stuck) > len(group.jobs)
