"""The answer first, in plain sentences: the verdict, what the other loss says, then why each
config that failed did (root causes before their consequences), what makes it learn, what is
not the cause, what a change moves inside the runs, and every compared pair in words."""

from collections.abc import Sequence

from analysis.conditions.words import condition_words
from analysis.labels import LOSS_MODE_WORDS, factor_words
from analysis.names import words
from analysis.report.comparisons import Metric, PairComparison, differing_factors
from analysis.report.findings import change_text
from analysis.report.groups import ConfigGroup, GroupCondition
from analysis.report.mechanism import contrasts, key_differences, notable, primary
from analysis.report.statistics import Verdict
from analysis.report.verdict import (
    companion_sentence,
    diagnosis_sentence,
    lead,
    roots,
    verdict_sentence,
)
from analysis.report.wording import better_word, count, value_text


def _chain(group: ConfigGroup) -> list[GroupCondition]:
    """The config's problems, each root followed by what follows from it."""
    problems = group.problems()
    ordered, frontier = [], roots(group)
    while frontier:
        ordered.extend(frontier)
        names = {c.name for c in frontier}
        frontier = [c for c in problems if c.caused_by in names and c not in ordered]
    return ordered + [c for c in problems if c not in ordered]


def failure_sentence(group: ConfigGroup) -> str:
    """Why a config did not learn: its root causes' statements, then their consequences."""
    parts: list[str] = []
    for condition in _chain(group):
        statement = condition.statement.rstrip(".") + "."
        if condition.caused_by is None or not parts:
            parts.append(statement)
        else:
            consequence = statement[:1].lower() + statement[1:]
            parts.append(f"Because of {condition_words(condition.caused_by)}: {consequence}")
    head = (
        f"{group.label} did not learn ({group.failing()} of {count(len(group.measured), 'seed')})"
    )
    return f"{head}. " + " ".join(parts) if parts else f"{head}."


def learning_sentences(groups: Sequence[ConfigGroup]) -> list[str]:
    """Which configs did not learn and why, which learned with problems, which cleanly."""
    measured = [g for g in groups if g.learned() is not None]
    sentences = [failure_sentence(g) for g in measured if not g.learned()]
    troubled = [g for g in measured if g.learned() and g.problems()]
    if troubled:
        named = [
            f"{g.label} ({'; '.join(condition_words(c.name, c.subject) for c in roots(g))})"
            for g in troubled
        ]
        sentences.append("Learned, with problems: " + "; ".join(named) + ".")
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
        f"{condition_words(condition.name, condition.subject).capitalize()} is not what stops "
        f"{bad.label}: {words(name)} is {value_text(name, mine)} there against "
        f"{value_text(name, theirs)} in {good.label}, which learned ({name})."
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
        phrases = notable(key_differences(item.a, item.b), (item.a.label, item.b.label))
        change = change_text(item)
        if phrases and change not in said:
            said[change] = f"{change}: no condition differs, but " + "; ".join(phrases) + "."
    return list(said.values())


def difference_sentences(comparisons: Sequence[PairComparison]) -> list[str]:
    """Every tested pair, its better side named, one sentence per verdict."""
    by_verdict: dict[Verdict, list[str]] = {}
    for item in comparisons:
        j = item.judgement
        if j is None:
            continue
        gap = abs(j.difference.difference)
        text = f"{item.b.label} is {better_word(item.metric)} than {item.a.label} by {gap:.3g}"
        if j.verdict is Verdict.EQUIVALENT:
            text = f"{item.a.label} and {item.b.label} ({gap:.3g} apart)"
        elif j.verdict is Verdict.UNDECIDED and j.seeds_needed:
            text += f" (about {j.seeds_needed} seeds would settle it)"
        by_verdict.setdefault(j.verdict, []).append(text)
    metric = comparisons[0].metric.words if comparisons else ""
    heads = {
        Verdict.DIFFERENT: f"Real differences in {metric}",
        Verdict.EQUIVALENT: f"Within seed noise on {metric}",
        Verdict.UNDECIDED: f"Not decided on {metric} with these seeds",
    }
    return [f"{heads[v]}: " + "; ".join(by_verdict[v]) + "." for v in heads if v in by_verdict]


def verdict_sentences(
    groups: Sequence[ConfigGroup], comparisons: Sequence[PairComparison], metric: Metric
) -> list[str]:
    """The first sentences: the best config against the next, or one config's diagnosis."""
    if len(groups) == 1:
        one = diagnosis_sentence(groups[0], metric)
        return [one] if one else []
    found = lead(groups, comparisons, metric)
    if found is None:
        return []
    other = companion_sentence(found)
    return [verdict_sentence(found, len(groups))] + ([other] if other else [])


def summary(
    groups: Sequence[ConfigGroup], comparisons: Sequence[PairComparison], metric: Metric
) -> list[str]:
    """The report's answer, a few sentences long."""
    return (
        verdict_sentences(groups, comparisons, metric)
        + (learning_sentences(groups) if len(groups) > 1 else [])
        + [failure_sentence(g) for g in groups[:1] if len(groups) == 1 and g.learned() is False]
        + cause_sentences(comparisons)
        + not_the_cause(groups)
        + mechanism_sentences(comparisons)
        + difference_sentences(comparisons)
    )
