"""Small-sample statistics over seeds: t intervals, paired and Welch differences, equivalence.

SciPy's t distribution does the arithmetic. Every comparison of an experiment is judged at the
family-wise level: with m comparisons each interval is taken at 1 - alpha/m (Bonferroni), so a
difference called real is one whose corrected interval excludes zero, and the verdict and the
interval shown can never disagree.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

# Student's t from the functions scipy.stats.t itself calls (stdtrit, stdtr): the same numbers,
# without importing all of scipy.stats into every process that reports, at its start.
from scipy import special

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE
# No advice past this many seeds: a difference that needs more is too small to chase.
MAX_SEEDS_ADVISED = 1000


@functools.lru_cache(maxsize=4096)
def t_quantile(probability: float, df: float) -> float:
    """The t value below which `probability` of Student's t with `df` degrees of freedom lies."""
    # Cached: a sequential design asks the same few (level, seeds) pairs at every look.
    return float(special.stdtrit(df, probability))


@dataclass(frozen=True)
class Summary:
    """Mean, sample std and the 95% t interval of the mean; std and interval need n >= 2."""

    n: int
    mean: float
    std: float | None
    ci_low: float | None
    ci_high: float | None


def summarize(values: Sequence[float]) -> Summary:
    """Mean with a Student t confidence interval."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return Summary(n, mean, None, None, None)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(1 - ALPHA / 2, n - 1) * std / math.sqrt(n)
    return Summary(n, mean, std, mean - half, mean + half)


class Verdict(StrEnum):
    """What a comparison may say; exactly one holds."""

    DIFFERENT = "different"
    EQUIVALENT = "equivalent"
    UNDECIDED = "undecided"
    UNTESTABLE = "untestable"


@dataclass(frozen=True)
class Difference:
    """mean(a) - mean(b) with its standard error, degrees of freedom and the spread behind it."""

    test: Literal["paired t", "Welch t"]
    n: int
    difference: float
    error: float
    df: float
    spread: float  # std of the paired differences, or the pooled std for Welch
    above: int | None = None  # paired: in how many pairs a exceeds b


def paired(a: Sequence[float], b: Sequence[float]) -> Difference:
    """The difference over matched pairs (same seed: same initial weights and batches)."""
    differences = [x - y for x, y in zip(a, b, strict=True)]
    summary = summarize(differences)
    std = summary.std or 0.0
    error = std / math.sqrt(summary.n)
    above = sum(1 for d in differences if d > 0)
    return Difference("paired t", summary.n, summary.mean, error, summary.n - 1, std, above)


def welch(a: Sequence[float], b: Sequence[float]) -> Difference:
    """The difference of two independent means, Welch's unequal-variance error."""
    sa, sb = summarize(a), summarize(b)
    va, vb = (sa.std or 0.0) ** 2 / sa.n, (sb.std or 0.0) ** 2 / sb.n
    error = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (sa.n - 1) + vb**2 / (sb.n - 1)) if error else sa.n + sb.n - 2.0
    pooled = math.sqrt(
        ((sa.n - 1) * (sa.std or 0) ** 2 + (sb.n - 1) * (sb.std or 0) ** 2) / (sa.n + sb.n - 2)
    )
    return Difference("Welch t", min(sa.n, sb.n), sa.mean - sb.mean, error, df, pooled)


@dataclass(frozen=True)
class Judgement:
    """A difference judged within a family of `comparisons`: its corrected interval and verdict."""

    difference: Difference
    comparisons: int
    margin: float
    ci_low: float
    ci_high: float
    p: float
    p_adjusted: float
    verdict: Verdict
    seeds_needed: int | None

    @property
    def level(self) -> float:
        """The per-comparison error rate after the correction."""
        return ALPHA / self.comparisons


def _two_sided_p(d: Difference) -> float:
    if d.error == 0:
        return 0.0 if d.difference else 1.0
    return float(2 * special.stdtr(d.df, -abs(d.difference) / d.error))


def _equivalent(d: Difference, level: float, margin: float) -> bool:
    """Two one-sided tests: the (1 - 2 level) interval lies inside (-margin, +margin)."""
    half = t_quantile(1 - level, d.df) * d.error if d.error else 0.0
    return abs(d.difference) + half < margin


def seeds_needed(d: Difference, level: float) -> int | None:
    """How many seeds would put a difference of the observed size outside its corrected
    interval, given the observed spread; None if no number up to the advised maximum would."""
    if d.difference == 0:
        return None
    scale = d.spread if d.test == "paired t" else d.spread * math.sqrt(2)
    for n in range(2, MAX_SEEDS_ADVISED + 1):
        if t_quantile(1 - level / 2, n - 1) * scale / math.sqrt(n) < abs(d.difference):
            return n
    return None


def interval(d: Difference, level: float) -> tuple[float, float]:
    """The difference's two-sided interval at 1 - level."""
    half = t_quantile(1 - level / 2, d.df) * d.error if d.error else 0.0
    return d.difference - half, d.difference + half


def verdict(d: Difference, level: float, margin: float) -> Verdict:
    """Different if the interval at 1 - level excludes zero, equivalent if two one-sided
    tests at `level` put it inside the margin, else undecided."""
    low, high = interval(d, level)
    if low > 0 or high < 0:
        return Verdict.DIFFERENT
    return Verdict.EQUIVALENT if _equivalent(d, level, margin) else Verdict.UNDECIDED


def judge(d: Difference, comparisons: int, margin: float) -> Judgement:
    """Different, equivalent within the margin, or undecided; at the corrected level."""
    level = ALPHA / comparisons
    low, high = interval(d, level)
    p = _two_sided_p(d)
    found = verdict(d, level, margin)
    needed = seeds_needed(d, level) if found is Verdict.UNDECIDED else None
    return Judgement(d, comparisons, margin, low, high, p, min(1.0, p * comparisons), found, needed)
