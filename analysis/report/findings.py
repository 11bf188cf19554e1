"""One finding per compared pair: the difference, its verdict, and what differs inside the runs.

The verdict is the statistics' (different, equivalent within the margin, undecided, untestable);
"within seed noise" is said only of an equivalence shown by two one-sided tests.
"""

from dataclasses import dataclass, field
from typing import Any

from analysis.labels import factor_words
from analysis.report.comparisons import PairComparison
from analysis.report.mechanism import contrast_text, contrasts, key_differences, notable
from analysis.report.statistics import CONFIDENCE, Judgement, Verdict
from analysis.report.wording import settle


@dataclass
class Finding:
    """A statement about one pair of configs, and the numbers behind it."""

    id: str
    a: str
    b: str
    verdict: str
    statement: str
    evidence: dict[str, Any] = field(default_factory=dict)


def change_text(item: PairComparison) -> str:
    """'preprocessing x/1000 instead of x/255' for a one-factor pair, else the two labels."""
    if len(item.factors) == 1:
        name = item.factors[0]
        after, before = factor_words(item.a.config, name), factor_words(item.b.config, name)
        return f"{after} instead of {before}"
    return f"{item.a.label} against {item.b.label}"


def interval_text(j: Judgement) -> str:
    """'+0.013 (95% CI corrected for 9 comparisons +0.001 to +0.025, paired t, 5 seeds,
    higher in 5 of 5)'."""
    d = j.difference
    corrected = f"corrected for {j.comparisons} comparisons " if j.comparisons > 1 else ""
    signs = f", higher in {d.above} of {d.n}" if d.above is not None else ""
    return (
        f"{d.difference:+.3g} ({100 * CONFIDENCE:.0f}% CI {corrected}"
        f"{j.ci_low:+.3g} to {j.ci_high:+.3g}, {d.test}, {d.n} seeds{signs})"
    )


def verdict_text(item: PairComparison, j: Judgement) -> str:
    """The one thing the numbers support about this difference."""
    if j.verdict is Verdict.DIFFERENT:
        return f"a real difference: {item.b.label} is better"
    if j.verdict is Verdict.EQUIVALENT:
        return f"equivalent within ±{j.margin:g}: the difference is within seed noise"
    return (
        f"undecided with {j.difference.n} seeds: the interval holds zero and reaches past "
        f"±{j.margin:g}; {settle(j)}"
    )


def mechanism_text(item: PairComparison) -> tuple[str, dict[str, Any]]:
    """What the diagnosis found in one config and not the other, else key diagnostics."""
    found = contrasts(item.a, item.b)
    table = key_differences(item.a, item.b)
    evidence = {
        "conditions": [
            {
                "config": c.holder.label,
                "name": c.condition.name,
                "subject": c.condition.subject,
                "other_value": c.other_value,
                "diagnostic": c.diagnostic,
            }
            for c in found
        ],
        "diagnostics": table,
    }
    if found:
        return " ".join(contrast_text(c) for c in found), evidence
    phrases = notable(table, (item.a.label, item.b.label))
    if phrases:
        return "No condition differs; " + "; ".join(phrases) + ".", evidence
    return "No condition or key diagnostic differs between them.", evidence


def pair_finding(index: int, item: PairComparison) -> Finding:
    """The finding of one compared pair."""
    j = item.judgement
    head = f"{change_text(item)}: {item.metric.words}"
    if j is None:
        statement = f"{head} cannot be tested: {item.note}."
        verdict = Verdict.UNTESTABLE
    else:
        statement = f"{head} {interval_text(j)}, {verdict_text(item, j)}."
        verdict = j.verdict
    mechanism, evidence = mechanism_text(item)
    evidence |= _statistics(j)
    return Finding(
        f"pair-{index}", item.a.label, item.b.label, verdict, f"{statement} {mechanism}", evidence
    )


def _statistics(j: Judgement | None) -> dict[str, Any]:
    if j is None:
        return {}
    d = j.difference
    return {
        "test": d.test,
        "n": d.n,
        "difference": d.difference,
        "ci": [j.ci_low, j.ci_high],
        "higher_in": d.above,
        "comparisons": j.comparisons,
        "p": j.p,
        "p_adjusted": j.p_adjusted,
        "margin": j.margin,
        "seeds_needed": j.seeds_needed,
    }
