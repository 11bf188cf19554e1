"""The report's statistics against SciPy's."""

import math

import pytest
from scipy import stats

from api.report.statistics import (
    betainc,
    holm,
    paired_t,
    summarize,
    t_quantile,
    t_two_sided_p,
    welch_t,
)

A = [0.312, 0.298, 0.305, 0.321, 0.301]
B = [0.338, 0.327, 0.340, 0.351, 0.322]
C = [0.52, 0.31, 0.44]


@pytest.mark.parametrize(
    ("a", "b", "x"), [(0.5, 0.5, 0.3), (2.0, 0.5, 0.9), (10.0, 0.5, 0.01), (1.5, 0.5, 0.999)]
)
def test_incomplete_beta_matches_scipy(a: float, b: float, x: float) -> None:
    from scipy.special import betainc as scipy_betainc

    assert betainc(a, b, x) == pytest.approx(scipy_betainc(a, b, x), rel=1e-10)


@pytest.mark.parametrize("df", [1, 2, 4, 7.3, 30, 200])
def test_t_tails_and_quantiles_match_scipy(df: float) -> None:
    for t in (0.1, 1.0, 2.5, 8.0):
        assert t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(t, df), rel=1e-9)
    assert t_quantile(0.975, df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-9)


def test_mean_interval_matches_scipy() -> None:
    summary = summarize(A)
    low, high = stats.t.interval(0.95, len(A) - 1, loc=stats.tmean(A), scale=stats.sem(A))
    assert summary.mean == pytest.approx(sum(A) / 5)
    assert summary.std == pytest.approx(stats.tstd(A))
    assert [summary.ci_low, summary.ci_high] == pytest.approx([low, high])
    assert summarize([0.3]) == summarize([0.3]).__class__(1, 0.3, None, None, None)


def test_paired_t_matches_scipy() -> None:
    result = paired_t(B, A)
    expected = stats.ttest_rel(B, A)
    assert result.t == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue, rel=1e-8)
    low, high = expected.confidence_interval(0.95)
    assert [result.ci_low, result.ci_high] == pytest.approx([low, high])
    differences = [b - a for a, b in zip(A, B, strict=True)]
    assert result.effect_size == pytest.approx(stats.tmean(differences) / stats.tstd(differences))


def test_welch_t_matches_scipy() -> None:
    result = welch_t(C, A)
    expected = stats.ttest_ind(C, A, equal_var=False)
    assert result.t == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue, rel=1e-8)
    assert result.df == pytest.approx(expected.df)
    low, high = expected.confidence_interval(0.95)
    assert [result.ci_low, result.ci_high] == pytest.approx([low, high])


def test_identical_pairs_give_no_evidence_and_constant_shift_is_certain() -> None:
    assert paired_t(A, A).p == 1.0
    shifted = paired_t([2.0, 3.0, 5.0], [1.0, 2.0, 4.0])
    assert shifted.p == 0.0
    assert math.isinf(shifted.t)


def test_holm_step_down_by_hand() -> None:
    # SciPy has no Holm; by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives
    # 0.02, 0.03, 0.06, 0.04, made monotone: 0.02, 0.03, 0.06, 0.06.
    p_values = [0.01, 0.04, 0.03, 0.005]
    assert holm(p_values) == pytest.approx([0.03, 0.06, 0.06, 0.02])
