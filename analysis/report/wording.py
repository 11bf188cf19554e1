"""How the report words its numbers: counts with their nouns, certainty, directions, values."""

from analysis.names import Unit, unit
from analysis.report.comparisons import Metric
from analysis.report.statistics import Judgement, Verdict


def count(n: int, noun: str) -> str:
    """'1 seed', '3 seeds'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def better_word(metric: Metric) -> str:
    """'lower' for a loss, 'higher' for an accuracy."""
    return "higher" if metric.higher_is_better else "lower"


def best_word(metric: Metric) -> str:
    """'lowest' for a loss, 'highest' for an accuracy."""
    return "highest" if metric.higher_is_better else "lowest"


def certainty(j: Judgement | None) -> str:
    """How sure the report is of a difference, in words, with the seeds behind it."""
    if j is None:
        return "with fewer than two seeds per config, whether it is real cannot be tested"
    seeds = count(j.difference.n, "seed")
    if j.verdict is Verdict.DIFFERENT:
        return f"a real difference over {seeds}"
    if j.verdict is Verdict.EQUIVALENT:
        return f"within seed noise over {seeds} (equivalent within ±{j.margin:g})"
    return f"not decided with {seeds}; {settle(j)}"


def settle(j: Judgement) -> str:
    """How many seeds would settle an undecided difference of the observed size."""
    if j.seeds_needed:
        return f"about {j.seeds_needed} seeds would settle it"
    return "no practical number of seeds would settle a difference this small"


def pair_text(x: float, y: float) -> tuple[str, str]:
    """Two figures with enough significant digits (three to six) to tell them apart."""
    for digits in range(3, 7):
        tx, ty = f"{x:.{digits}g}", f"{y:.{digits}g}"
        if tx != ty:
            break
    return tx, ty


def shown(name: str, value: float) -> tuple[str, float]:
    """A diagnostic's value as printed (a share as a percentage, to three significant figures)
    and the number that printed text stands for, so ratios are taken of what is shown."""
    if unit(name) is Unit.SHARE:
        text = f"{100 * value:.3g}"
        return f"{text}%", float(text) / 100
    text = f"{value:.3g}"
    return text, float(text)


def value_text(name: str, value: float | None) -> str:
    """A diagnostic's value as printed; 'n/a' when there is none."""
    return "n/a" if value is None else shown(name, value)[0]
