"""Which configs are compared, and how: pairs that differ in one factor, paired over seeds.

A learner's question is "what does changing X do", so configs are compared in pairs that differ
in exactly one factor (the preprocessing counts as one). When an experiment has no such pairs for
a config, or more pairs than a report can carry, configs are compared with the best one instead.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from analysis.labels import factor, flatten
from analysis.report.groups import ConfigGroup
from analysis.report.statistics import Difference, Judgement, judge, paired, welch

# More pairs than this and the report compares each config with the best instead: every extra
# comparison widens every interval (the correction), and nobody reads a hundred pairs.
MAX_PAIRS = 30
EXPERIMENT = "experiment"


class Metric(StrEnum):
    """A final figure configs can be compared on."""

    LOSS = "loss"
    ACCURACY = "accuracy"
    TEST_LOSS = "test_loss"
    TEST_ACCURACY = "test_accuracy"

    @property
    def higher_is_better(self) -> bool:
        """Accuracy is better high, loss low."""
        return self in (Metric.ACCURACY, Metric.TEST_ACCURACY)

    @property
    def words(self) -> str:
        """How sentences name the metric."""
        return self.value.replace("_", " ") if self.value.startswith("test") else f"train {self}"


DEFAULT_METRIC = Metric.TEST_LOSS
# The smallest difference worth a learner's attention, unless a request says otherwise: a hundredth
# of a loss (3% of a trained run's 0.3), half a percentage point of accuracy.
DEFAULT_MARGINS = {
    Metric.LOSS: 0.01,
    Metric.TEST_LOSS: 0.01,
    Metric.ACCURACY: 0.005,
    Metric.TEST_ACCURACY: 0.005,
}


@dataclass(frozen=True)
class PairComparison:
    """Config `a` against config `b` on one metric (a - b), `b` the better of the two by mean."""

    a: ConfigGroup
    b: ConfigGroup
    factors: list[str]
    metric: Metric
    judgement: Judgement | None
    note: str | None


def best_group(groups: Sequence[ConfigGroup], metric: Metric) -> ConfigGroup | None:
    """The group with the best mean final figure on the metric."""
    scored = [(s.mean, g) for g in groups if (s := g.final_summary(metric))]
    if not scored:
        return None
    pick = max if metric.higher_is_better else min
    return pick(scored, key=lambda pair: pair[0])[1]


def differing_factors(a: ConfigGroup, b: ConfigGroup) -> list[str]:
    """The factors whose values differ between two configs."""
    fa, fb = flatten(a.config), flatten(b.config)
    paths = [path for path in fa | fb if fa.get(path) != fb.get(path)]
    found = list(dict.fromkeys(factor(path) for path in paths))
    # Only two experiments side by side have this factor (analysis.report.side_by_side); it counts
    # only between configs that are otherwise the same: one config as each experiment ran it.
    return [name for name in found if name != EXPERIMENT] or found


def pairs(groups: Sequence[ConfigGroup], metric: Metric) -> list[tuple[ConfigGroup, ConfigGroup]]:
    """One-factor pairs of configs with results; each other config against the best."""
    scored = [g for g in groups if g.finals(metric)]
    one_factor = [
        (a, b) for a, b in itertools.combinations(scored, 2) if len(differing_factors(a, b)) == 1
    ]
    best = best_group(scored, metric)
    if best is None:
        return []
    if len(one_factor) > MAX_PAIRS:
        return [(g, best) for g in scored if g is not best]
    covered = {id(g) for pair in one_factor for g in pair}
    return one_factor + [(g, best) for g in scored if id(g) not in covered and g is not best]


def difference(a: ConfigGroup, b: ConfigGroup, metric: Metric) -> Difference | None:
    """a - b on the metric: paired over the seeds both ran, else Welch; None below two seeds."""
    mine, theirs = a.finals(metric), b.finals(metric)
    common = sorted(mine.keys() & theirs.keys())
    if len(common) >= 2:
        return paired([mine[s] for s in common], [theirs[s] for s in common])
    if len(mine) >= 2 and len(theirs) >= 2:
        return welch(list(mine.values()), list(theirs.values()))
    return None


def oriented(a: ConfigGroup, b: ConfigGroup, metric: Metric) -> tuple[ConfigGroup, ConfigGroup]:
    """The pair with the better config by mean second."""
    sa, sb = a.final_summary(metric), b.final_summary(metric)
    if sa is None or sb is None:
        return a, b
    a_better = sa.mean > sb.mean if metric.higher_is_better else sa.mean < sb.mean
    return (b, a) if a_better else (a, b)


def compare_all(
    groups: Sequence[ConfigGroup],
    metric: Metric,
    margin: float,
    comparisons: int | None = None,
) -> list[PairComparison]:
    """Every chosen pair judged on the metric, corrected for the number of tested pairs, or
    for `comparisons` when a design fixed that family in advance (a sequential one)."""
    chosen = [oriented(a, b, metric) for a, b in pairs(groups, metric)]
    differences = [difference(a, b, metric) for a, b in chosen]
    tested = comparisons or max(1, sum(1 for d in differences if d is not None))
    return [
        PairComparison(
            a,
            b,
            differing_factors(a, b),
            metric,
            judge(d, tested, margin) if d else None,
            None if d else "fewer than two seeds per config: the difference cannot be tested",
        )
        for (a, b), d in zip(chosen, differences, strict=True)
    ]
