"""The report's statistics against SciPy's, and each verdict on numbers built to give it."""

import math

import pytest
from scipy import stats

from analysis.report.statistics import (
    ALPHA,
    Verdict,
    judge,
    paired,
    seeds_needed,
    summarize,
    t_quantile,
    welch,
)

A = [0.312, 0.298, 0.305, 0.321, 0.301]
B = [0.338, 0.327, 0.340, 0.351, 0.322]
C = [0.52, 0.31, 0.44]


def test_mean_interval_matches_scipy() -> None:
    summary = summarize(A)
    low, high = stats.t.interval(0.95, len(A) - 1, loc=summary.mean, scale=stats.sem(A))
    assert summary.ci_low == pytest.approx(low)
    assert summary.ci_high == pytest.approx(high)
    assert summarize([0.3]).ci_low is None


def test_paired_and_welch_p_values_match_scipy() -> None:
    p = judge(paired(B, A), 1, 0.01).p
    assert p == pytest.approx(stats.ttest_rel(B, A).pvalue)
    w = judge(welch(C, A), 1, 0.01).p
    assert w == pytest.approx(stats.ttest_ind(C, A, equal_var=False).pvalue)


def test_a_difference_whose_corrected_interval_excludes_zero_is_real() -> None:
    j = judge(paired(B, A), 1, 0.01)
    assert j.verdict is Verdict.DIFFERENT
    assert 0 < j.ci_low < j.difference.difference < j.ci_high


def test_the_correction_widens_the_interval_and_can_leave_a_difference_undecided() -> None:
    b = [a + d for a, d in zip(A, [0.010, 0.002, 0.014, 0.006, 0.009], strict=True)]
    alone, among_nine = judge(paired(b, A), 1, 0.001), judge(paired(b, A), 9, 0.001)
    assert alone.verdict is Verdict.DIFFERENT
    assert among_nine.verdict is Verdict.UNDECIDED
    assert among_nine.ci_low < 0 < among_nine.ci_high
    assert among_nine.p_adjusted == pytest.approx(min(1, 9 * among_nine.p))


def test_equivalence_needs_the_interval_inside_the_margin() -> None:
    b = [a + d for a, d in zip(A, [0.001, -0.001, 0.0005, 0.0, -0.0005], strict=True)]
    assert judge(paired(b, A), 1, 0.01).verdict is Verdict.EQUIVALENT
    assert judge(paired(b, A), 1, 0.0005).verdict is Verdict.UNDECIDED


def test_two_seeds_that_cannot_detect_anything_are_undecided_not_equivalent() -> None:
    j = judge(paired([0.31, 0.36], [0.30, 0.30]), 1, 0.01)
    assert j.verdict is Verdict.UNDECIDED
    assert j.seeds_needed is not None


def test_seeds_needed_is_the_first_count_whose_interval_would_exclude_zero() -> None:
    d = paired([0.31, 0.36, 0.33], [0.30, 0.30, 0.30])
    n = seeds_needed(d, ALPHA)
    assert n is not None

    def half(count: int) -> float:
        return t_quantile(1 - ALPHA / 2, count - 1) * d.spread / math.sqrt(count)

    assert half(n) < d.difference <= half(n - 1)


def test_identical_figures_are_equivalent_and_need_no_seeds() -> None:
    j = judge(paired(A, A), 3, 0.01)
    assert (j.verdict, j.seeds_needed) == (Verdict.EQUIVALENT, None)
