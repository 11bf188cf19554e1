"""What an adaptive experiment adds to its report: the design it was judged under (the level of
seeds until decided, a search's compared finalists), its rounds, and a search's answer."""

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.adaptive import search_report
from analysis.adaptive.sequential import SeedDesign, Stop
from analysis.report.comparisons import DEFAULT_MARGINS, DEFAULT_METRIC, Metric
from analysis.report.groups import ConfigGroup
from analysis.report.schemas import Report, RoundOut, RoundsOut
from models import adaptive
from models.experiment import Experiment

STOPPED_WORDS = {
    Stop.DECIDED: "stopped once every pair was decided",
    Stop.MAX_SEEDS: "stopped at the most seeds allowed, with pairs still undecided",
    Stop.SEARCHED: "the search has ended",
    Stop.CANCELLED: "stopped when it was cancelled",
}


@dataclass(frozen=True)
class Judging:
    """How an experiment's pairs are judged: on which metric and margin, with which family of
    comparisons (None: the pairs tested), among which configs (None: all)."""

    metric: Metric
    margin: float
    comparisons: int | None = None
    compared: Sequence[ConfigGroup] | None = None


def judging(
    experiment: Experiment,
    groups: Sequence[ConfigGroup],
    metric: Metric | None,
    margin: float | None,
) -> Judging:
    """The design's metric and margin unless the request names others; seeds until decided
    are judged at the level their looks were, a search compares its finalists only."""
    rounds = adaptive.seed_rounds(experiment.spec)
    search = adaptive.search(experiment.spec)
    design = rounds or search
    own = Metric(design.metric) if design else DEFAULT_METRIC
    chosen = metric or own
    own_margin = rounds.margin if rounds and chosen == own else None
    margin = margin if margin is not None else own_margin or DEFAULT_MARGINS[chosen]
    if rounds is not None:
        return Judging(chosen, margin, SeedDesign(rounds, len(groups)).comparisons)
    if search is not None:
        return Judging(chosen, margin, compared=search_report.finalist_groups(groups))
    return Judging(chosen, margin)


def rounds_out(experiment: Experiment, groups: Sequence[ConfigGroup]) -> RoundsOut | None:
    """The experiment's rounds, and its design's looks and level if it adds seeds."""
    if experiment.rounds is None:
        return None
    design = adaptive.seed_rounds(experiment.spec)
    seeds = SeedDesign(design, len(groups)) if design else None
    return RoundsOut(
        looks=design.looks() if design else None,
        level=seeds.level if seeds else None,
        rounds=[RoundOut.model_validate(record) for record in experiment.rounds],
        stopped=experiment.stopped,
    )


def rounds_sentence(rounds: RoundsOut) -> str:
    """`Seeds added until decided over 2 rounds (...): stopped once every pair was decided.`"""
    done = "; ".join(
        f"round {r.round}: " + ", ".join(f"{label} {n}" for label, n in (r.seeds or {}).items())
        for r in rounds.rounds
    )
    why = STOPPED_WORDS[Stop(rounds.stopped)] if rounds.stopped else "more rounds may follow"
    level = f"{rounds.level:.2g}" if rounds.level else "?"
    return (
        f"Seeds added until decided, {len(rounds.rounds)} of at most {rounds.looks} rounds "
        f"(seeds per config: {done}); {why}. Each pair is tested at level {level} "
        "at every look, so identical configs are called different at most 5% of the time."
    )


def adapted(report: Report, experiment: Experiment, groups: Sequence[ConfigGroup]) -> Report:
    """The report with the experiment's rounds and, for a search, its answer first."""
    rounds = rounds_out(experiment, groups)
    search = adaptive.search(experiment.spec)
    if rounds is None:
        return report
    if search is None:
        summary = [*report.summary[:1], rounds_sentence(rounds), *report.summary[1:]]
        return report.model_copy(update={"rounds": rounds, "summary": summary})
    found = search_report.search_out(groups, search, searched=rounds.stopped is not None)
    summary = search_report.sentences(found, rounds.stopped is not None) + report.summary
    return report.model_copy(update={"rounds": rounds, "search": found, "summary": summary})
