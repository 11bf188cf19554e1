"""The report's first sentences: which config is best on the metric, against which, by how much
and how sure; what the other loss says of the same two; and, for one config, its diagnosis."""

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.conditions.words import condition_words
from analysis.report.comparisons import (
    DEFAULT_MARGINS,
    Metric,
    PairComparison,
    difference,
    oriented,
)
from analysis.report.groups import ConfigGroup, GroupCondition
from analysis.report.statistics import Judgement, Verdict, judge
from analysis.report.wording import best_word, better_word, certainty, count, pair_text

# The figure read beside the metric: a train figure beside its test figure, and back.
COMPANIONS = {
    Metric.TEST_LOSS: Metric.LOSS,
    Metric.LOSS: Metric.TEST_LOSS,
    Metric.TEST_ACCURACY: Metric.ACCURACY,
    Metric.ACCURACY: Metric.TEST_ACCURACY,
}


@dataclass(frozen=True)
class Lead:
    """The best config on the metric and the next best, judged on the metric and its companion."""

    best: ConfigGroup
    runner_up: ConfigGroup
    metric: Metric
    judgement: Judgement | None
    companion: Judgement | None


def ranked(groups: Sequence[ConfigGroup], metric: Metric) -> list[ConfigGroup]:
    """The configs with a figure on the metric, best first."""
    scored = [(s.mean, g) for g in groups if (s := g.final_summary(metric))]
    scored.sort(key=lambda pair: -pair[0] if metric.higher_is_better else pair[0])
    return [group for _, group in scored]


def _judged(
    a: ConfigGroup, b: ConfigGroup, metric: Metric, comparisons: Sequence[PairComparison]
) -> Judgement | None:
    """a against b on the metric: the family's judgement if the pair is in it, else judged
    with the family grown by one."""
    for item in comparisons:
        if {id(item.a), id(item.b)} == {id(a), id(b)} and item.metric is metric:
            return item.judgement
    d = difference(*oriented(a, b, metric), metric)
    tested = sum(1 for item in comparisons if item.judgement is not None)
    return judge(d, tested + 1, DEFAULT_MARGINS[metric]) if d else None


def lead(
    groups: Sequence[ConfigGroup], comparisons: Sequence[PairComparison], metric: Metric
) -> Lead | None:
    """The best config and the next best, when at least two configs have figures."""
    order = ranked(groups, metric)
    if len(order) < 2:
        return None
    best, runner_up = order[0], order[1]
    companion = COMPANIONS[metric]
    return Lead(
        best,
        runner_up,
        metric,
        _judged(runner_up, best, metric, comparisons),
        _judged(runner_up, best, companion, ()),
    )


def _means(a: ConfigGroup, b: ConfigGroup, metric: Metric) -> tuple[float, float]:
    sa, sb = a.final_summary(metric), b.final_summary(metric)
    return (sa.mean if sa else float("nan")), (sb.mean if sb else float("nan"))


def verdict_sentence(found: Lead, configs: int) -> str:
    """'x/255 reaches a lower test loss than x/1000, by 0.026 (0.37 against 0.396); a real
    difference over 3 seeds.'"""
    metric, best, other = found.metric, found.best, found.runner_up
    mine, theirs = _means(best, other, metric)
    shown_mine, shown_theirs = pair_text(mine, theirs)
    if shown_mine == shown_theirs:
        return (
            f"{best.label} and {other.label} reach the same {metric.words} ({shown_mine}); "
            f"{certainty(found.judgement)}."
        )
    where = f"the {best_word(metric)} {metric.words} of the {configs} configs"
    head = (
        f"{best.label} reaches a {better_word(metric)} {metric.words} than {other.label}"
        if configs == 2
        else f"{best.label} reaches {where}, ahead of the next best, {other.label},"
    )
    return (
        f"{head} by {abs(mine - theirs):.3g} ({shown_mine} against {shown_theirs}); "
        f"{certainty(found.judgement)}."
    )


def _disagreement(first: ConfigGroup, found: Lead) -> str:
    """Where the two figures point different ways: one config fits, the other generalises."""
    on_main = f"on {found.metric.words}, {certainty(found.judgement)}"
    if found.metric in (Metric.TEST_LOSS, Metric.TEST_ACCURACY):
        return (
            f" So {first.label} fits the training images better but does not generalise "
            f"better: {on_main}."
        )
    return (
        f" So {first.label} generalises better though it does not fit the training images "
        f"better: {on_main}."
    )


def companion_sentence(found: Lead) -> str | None:
    """What the companion figure (train beside test) says of the same two configs, and where
    it disagrees with the metric."""
    metric = COMPANIONS[found.metric]
    second, first = oriented(found.runner_up, found.best, metric)
    mine, theirs = _means(first, second, metric)
    if mine != mine or theirs != theirs:  # NaN: no figure on the companion
        return None
    shown_mine, shown_theirs = pair_text(mine, theirs)
    text = (
        f"On the {metric.words}, {first.label} is {better_word(metric)} "
        f"({shown_mine} against {shown_theirs}); {certainty(found.companion)}."
    )
    if shown_mine == shown_theirs:
        text = (
            f"On the {metric.words}, the two are the same ({shown_mine}); "
            f"{certainty(found.companion)}."
        )
    main = found.judgement
    disagrees = first is not found.best or main is None or main.verdict is not Verdict.DIFFERENT
    if found.companion and found.companion.verdict is Verdict.DIFFERENT and disagrees:
        text += _disagreement(first, found)
    return text


def roots(group: ConfigGroup) -> list[GroupCondition]:
    """The config's problems that follow from none of its other problems."""
    problems = group.problems()
    held = {c.name for c in problems}
    return [c for c in problems if c.caused_by is None or c.caused_by not in held]


def diagnosis_sentence(group: ConfigGroup, metric: Metric) -> str | None:
    """One config's answer: whether it learned, its figure, and its root problems."""
    learned = group.learned()
    if learned is None:
        return None
    summary = group.final_summary(metric)
    figure = f": {metric.words} {summary.mean:.3g}" if summary else ""
    seeds = f"{len(group.measured) - group.failing()} of {count(len(group.measured), 'seed')}"
    problems = "; ".join(condition_words(c.name, c.subject) for c in roots(group))
    if not learned:
        return f"{group.label} did not learn ({seeds} learned){figure}; the root cause: {problems}."
    found = f"; problems: {problems}" if problems else "; no problem found"
    return f"{group.label} learned ({seeds}){figure}{found}."
