"""Small-sample statistics in plain Python: Student t intervals and tests, Holm's correction.

The t distribution's CDF comes from the regularized incomplete beta function (continued
fraction, as in Numerical Recipes); its quantiles by bisection. Tests compare them with SciPy's.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CONFIDENCE = 0.95


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0 or x >= 1.0:
        return 0.0 if x <= 0.0 else 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(probability: float, df: float) -> float:
    """The t value below which `probability` of the distribution lies (0.5 < probability < 1)."""
    tail = 2.0 * (1.0 - probability)
    low, high = 0.0, 1.0
    while t_two_sided_p(high, df) > tail:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        low, high = (middle, high) if t_two_sided_p(middle, df) > tail else (low, middle)
    return (low + high) / 2.0


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
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * std / math.sqrt(n)
    return Summary(n, mean, std, mean - half, mean + half)


@dataclass(frozen=True)
class Comparison:
    """A difference of means (a - b), its 95% interval, the test that gave its p-value."""

    test: Literal["paired t", "Welch t"]
    difference: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p: float
    effect_size: float


def paired_t(a: Sequence[float], b: Sequence[float]) -> Comparison:
    """Paired t-test of a - b over matched pairs; effect size d_z = mean / std of differences."""
    differences = [x - y for x, y in zip(a, b, strict=True)]
    summary = summarize(differences)
    assert summary.std is not None
    assert summary.ci_low is not None
    assert summary.ci_high is not None
    if summary.std == 0:
        t = math.copysign(math.inf, summary.mean) if summary.mean else 0.0
        effect = t
    else:
        t = summary.mean / (summary.std / math.sqrt(summary.n))
        effect = summary.mean / summary.std
    df = summary.n - 1
    p = 1.0 if t == 0 else t_two_sided_p(t, df)
    return Comparison("paired t", summary.mean, summary.ci_low, summary.ci_high, t, df, p, effect)


def welch_t(a: Sequence[float], b: Sequence[float]) -> Comparison:
    """Welch's t-test of mean(a) - mean(b); effect size Cohen's d with the pooled std."""
    sa, sb = summarize(a), summarize(b)
    assert sa.std is not None
    assert sb.std is not None
    va, vb = sa.std**2 / sa.n, sb.std**2 / sb.n
    difference, error = sa.mean - sb.mean, math.sqrt(va + vb)
    pooled = math.sqrt(((sa.n - 1) * sa.std**2 + (sb.n - 1) * sb.std**2) / (sa.n + sb.n - 2))
    if error == 0:
        t = math.copysign(math.inf, difference) if difference else 0.0
        df = float(sa.n + sb.n - 2)
    else:
        t = difference / error
        df = (va + vb) ** 2 / (va**2 / (sa.n - 1) + vb**2 / (sb.n - 1))
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, df) * error
    effect = difference / pooled if pooled else t
    p = 1.0 if t == 0 else t_two_sided_p(t, df)
    return Comparison("Welch t", difference, difference - half, difference + half, t, df, p, effect)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of p-values for multiple comparisons, in input order."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
