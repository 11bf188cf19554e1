"""Each config against the best one on final test loss: paired where seeds match, else Welch."""

from collections.abc import Sequence
from dataclasses import dataclass

from api.report.groups import ConfigGroup
from api.report.statistics import Comparison, holm, paired_t, welch_t

METRIC = "test_loss"
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class GroupComparison:
    """One group against the best: the comparison, or why it could not be made."""

    group: ConfigGroup
    best: ConfigGroup
    n: int
    comparison: Comparison | None
    p_holm: float | None
    note: str | None

    @property
    def significant(self) -> bool:
        """Whether the Holm-adjusted p-value is below 0.05."""
        return self.p_holm is not None and self.p_holm < SIGNIFICANCE


def best_group(groups: Sequence[ConfigGroup]) -> ConfigGroup | None:
    """The group with the lowest mean final test loss."""
    scored = [(summary.mean, group) for group in groups if (summary := group.final_summary(METRIC))]
    return min(scored, key=lambda pair: pair[0])[1] if scored else None


def compare(group: ConfigGroup, best: ConfigGroup) -> tuple[Comparison | None, int, str | None]:
    """group - best on final test loss; paired over common seeds when both ran the same seeds."""
    mine, theirs = group.finals(METRIC), best.finals(METRIC)
    if mine.keys() == theirs.keys() and len(mine) >= 2:
        seeds = sorted(mine)
        return paired_t([mine[s] for s in seeds], [theirs[s] for s in seeds]), len(seeds), None
    if len(mine) >= 2 and len(theirs) >= 2:
        return (
            welch_t(list(mine.values()), list(theirs.values())),
            min(len(mine), len(theirs)),
            None,
        )
    n = min(len(mine), len(theirs))
    return None, n, f"n = {n}: with fewer than two seeds per config the difference cannot be tested"


def compare_all(groups: Sequence[ConfigGroup]) -> list[GroupComparison]:
    """Every other group against the best, with Holm's correction across the tested ones."""
    best = best_group(groups)
    if best is None:
        return []
    raw = [(group, *compare(group, best)) for group in groups if group is not best]
    tested = [comparison.p for _, comparison, _, _ in raw if comparison is not None]
    adjusted = iter(holm(tested))
    return [
        GroupComparison(group, best, n, comparison, next(adjusted) if comparison else None, note)
        for group, comparison, n, note in raw
    ]
