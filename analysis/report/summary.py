"""The answer first: a few plain sentences drawn from the configs' conditions and the pairs.

Which configs learned and which did not (with their problem conditions), what change makes a
failing config learn, which conditions cannot be the cause (a config that learned shows more of
them), and which differences are real, equivalent or undecided.
"""

from collections.abc import Sequence

from analysis.labels import LOSS_MODE_WORDS, factor_words
from analysis.report.comparisons import Metric, PairComparison, best_group, differing_factors
from analysis.report.findings import change_text
from analysis.report.groups import ConfigGroup, GroupCondition
from analysis.report.mechanism import contrasts, key_differences, notable, primary, value_text
from analysis.report.statistics import Verdict


def _names(group: ConfigGroup) -> str:
    return ", ".join(
        f"{c.name} ({c.subject})" if c.subject != "job" else c.name for c in group.problems()
    )


def learning_sentences(groups: Sequence[ConfigGroup]) -> list[str]:
    """Which configs did not learn and why, which learned with problems, which cleanly."""
    measured = [g for g in groups if g.learned() is not None]
    failed = [g for g in measured if not g.learned()]
    sentences = [
        f"{g.label} did not learn ({g.failing()} of {len(g.measured)} seeds): "
        + " ".join(c.statement.rstrip(".") + "." for c in g.problems())
        for g in failed
    ]
    troubled = [g for g in measured if g.learned() and g.problems()]
    if troubled:
        sentences.append(
            "Learned, with problems: "
            + "; ".join(f"{g.label} ({_names(g)})" for g in troubled)
            + "."
        )
    clean = [g.label for g in measured if g.learned() and not g.problems()]
    if clean:
        sentences.append("Learned with no problem found: " + "; ".join(clean) + ".")
    return sentences


def cause_sentences(comparisons: Sequence[PairComparison]) -> list[str]:
    """For a failing config, the one change (a one-factor pair) under which it learns."""
    sentences = []
    for item in comparisons:
        if len(item.factors) != 1:
            continue
        for bad, good in ((item.a, item.b), (item.b, item.a)):
            if bad.learned() is False and good.learned():
                sentences.append(_cause(bad, good, item.factors[0], item.metric))
    return sentences


def _cause(bad: ConfigGroup, good: ConfigGroup, factor: str, metric: Metric) -> str:
    summary = good.final_summary(metric)
    reached = f", reaching {metric.words} {summary.mean:.3g}" if summary else ""
    text = (
        f"{bad.label} learns when only its {factor} changes to {factor_words(good.config, factor)}"
        f" ({good.label}{reached})."
    )
    if factor == "loss.mode" and good.path("loss.mode") == "from_logits":
        clipped = LOSS_MODE_WORDS["clipped_probabilities"]
        text += (
            " The cross-entropy itself is not the cause: the same loss computed from the logits "
            f"learns; computed from {clipped} probabilities it does not."
        )
    return text


def not_the_cause(groups: Sequence[ConfigGroup]) -> list[str]:
    """Problem conditions that a config which learned shows more of than a failing config
    differing from it in one factor (elsewhere the two would differ in too much to say)."""
    learned = [g for g in groups if g.learned()]
    sentences = []
    for bad in (g for g in groups if g.learned() is False):
        said = {(c.name, c.subject) for c in bad.problems()}
        for good in (g for g in learned if len(differing_factors(bad, g)) == 1):
            for condition in good.problems():
                key = (condition.name, condition.subject)
                text = None if key in said else _weaker(bad, good, condition)
                if text:
                    said.add(key)
                    sentences.append(text)
    return sentences


def _weaker(bad: ConfigGroup, good: ConfigGroup, condition: GroupCondition) -> str | None:
    """The sentence, if the failing config shows no more of the condition's diagnostic."""
    source = primary(condition.evidence)
    if source is None:
        return None
    name = source[0]
    mine = bad.diagnostic(bad.last_epoch, name)
    theirs = good.diagnostic(good.last_epoch, name)
    if mine is None or theirs is None or mine > theirs:
        return None
    return (
        f"{condition.name} ({condition.subject}) is not what stops {bad.label}: it has "
        f"{value_text(name, mine)} ({name}) against {value_text(name, theirs)} in {good.label}, "
        "which learned."
    )


def mechanism_sentences(comparisons: Sequence[PairComparison]) -> list[str]:
    """For one change between configs that both learned and differ (or may), the key
    diagnostics it moves, once per change."""
    said: dict[str, str] = {}
    for item in comparisons:
        j = item.judgement
        if j is None or j.verdict not in (Verdict.DIFFERENT, Verdict.UNDECIDED):
            continue
        if len(item.factors) != 1 or not (item.a.learned() and item.b.learned()):
            continue
        if contrasts(item.a, item.b):
            continue
        phrases = notable(key_differences(item.a, item.b))
        change = change_text(item)
        if phrases and change not in said:
            said[change] = f"{change}: no condition differs, but " + "; ".join(phrases) + "."
    return list(said.values())


def difference_sentences(comparisons: Sequence[PairComparison]) -> list[str]:
    """Real, equivalent and undecided differences, one sentence each kind."""
    by_verdict: dict[Verdict, list[str]] = {}
    for item in comparisons:
        j = item.judgement
        if j is None:
            continue
        text = f"{item.a.label} against {item.b.label} ({j.difference.difference:+.3g})"
        if j.verdict is Verdict.UNDECIDED:
            text = text[:-1] + (
                f", about {j.seeds_needed} seeds needed)" if j.seeds_needed else ")"
            )
        by_verdict.setdefault(j.verdict, []).append(text)
    words = {
        Verdict.DIFFERENT: "Real differences",
        Verdict.EQUIVALENT: "Equivalent within the margin (seed noise)",
        Verdict.UNDECIDED: "Undecided with these seeds",
    }
    return [f"{words[v]}: " + "; ".join(by_verdict[v]) + "." for v in words if v in by_verdict]


def summary(
    groups: Sequence[ConfigGroup], comparisons: Sequence[PairComparison], metric: Metric
) -> list[str]:
    """The report's answer, a few sentences long."""
    best = best_group(groups, metric)
    lead = []
    if best is not None and (s := best.final_summary(metric)):
        lead.append(f"Best {metric.words}: {best.label} ({s.mean:.3g} over {s.n} seeds).")
    if comparisons:
        lead.append(f"Differences on {metric.words}, corrected for {len(comparisons)} comparisons.")
    return (
        learning_sentences(groups)
        + cause_sentences(comparisons)
        + not_the_cause(groups)
        + mechanism_sentences(comparisons)
        + lead
        + difference_sentences(comparisons)
    )
