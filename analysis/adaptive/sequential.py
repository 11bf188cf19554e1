"""Seeds until decided: a group-sequential design that stays honest however often it looks.

Every config first runs `min` seeds. After each round the results are looked at: each pair
the report compares (analysis.report.comparisons.pairs) is judged different, equivalent or
undecided, and the configs of undecided pairs get `min` more seeds (at most `max`), until every
pair is decided or no undecided config can grow. So there are at most
K = 1 + ceil((max - min) / min) looks.

Looking repeatedly and stopping when a test passes would raise the chance of calling identical
configs different well above the nominal 5%. Each look therefore tests at alpha / (K x m),
alpha = 0.05 and m = n(n - 1)/2 for n configs (every pair the report could compare, whichever
it picks at a look): Bonferroni over looks and pairs. The union bound holds whatever the
correlation between looks (the same seeds are looked at again), and each test is an ordinary
small-sample t test, where Pocock or O'Brien-Fleming boundaries would assume normal statistics
with a known information fraction. The price is power: the last look tests at a stricter level
than a fixed design would. The report of such an experiment judges at the same level, so it
never calls different what the sequence stopped calling undecided.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from analysis.report.comparisons import DEFAULT_MARGINS, Metric, difference, pairs
from analysis.report.groups import ConfigGroup
from analysis.report.statistics import ALPHA, Verdict, verdict
from models.seed_rounds import SeedRounds

OPEN = (Verdict.UNDECIDED, Verdict.UNTESTABLE)


class Stop(StrEnum):
    """Why an adaptive experiment stopped adding rounds."""

    DECIDED = "decided"
    MAX_SEEDS = "max_seeds"
    SEARCHED = "searched"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SeedDesign:
    """The design of one experiment: its rounds and how many configs it compares."""

    rounds: SeedRounds
    configs: int

    @property
    def metric(self) -> Metric:
        """The final figure pairs are decided on."""
        return Metric(self.rounds.metric)

    @property
    def margin(self) -> float:
        """The equivalence margin: the spec's, else the report's default for the metric."""
        return self.rounds.margin or DEFAULT_MARGINS[self.metric]

    @property
    def comparisons(self) -> int:
        """Tests the correction covers: every look times every pair of configs."""
        return self.rounds.looks() * max(1, self.configs * (self.configs - 1) // 2)

    @property
    def level(self) -> float:
        """Each test's two-sided error rate."""
        return ALPHA / self.comparisons


@dataclass(frozen=True)
class Decision:
    """After a look: why it stopped, if it did; else each config's seeds after the next round."""

    stopped: Stop | None
    seeds: dict[str, int]


def verdicts(
    groups: Sequence[ConfigGroup], design: SeedDesign
) -> list[tuple[ConfigGroup, ConfigGroup, Verdict]]:
    """Each pair the report compares, with its verdict at the design's level."""
    judged = []
    for a, b in pairs(groups, design.metric):
        d = difference(a, b, design.metric)
        found = verdict(d, design.level, design.margin) if d else Verdict.UNTESTABLE
        judged.append((a, b, found))
    return judged


def decide(groups: Sequence[ConfigGroup], design: SeedDesign) -> Decision:
    """Stop when every pair is decided, or when no config of an undecided pair can grow;
    else give `min` more seeds to each config of an undecided pair."""
    counts = {group.key: len(group.records) for group in groups}
    undecided = {g.key for a, b, v in verdicts(groups, design) if v in OPEN for g in (a, b)}
    if not undecided:
        return Decision(Stop.DECIDED, counts)
    grown = {
        key: design.rounds.next_count(seeds) if key in undecided else seeds
        for key, seeds in counts.items()
    }
    return Decision(Stop.MAX_SEEDS if grown == counts else None, grown)
