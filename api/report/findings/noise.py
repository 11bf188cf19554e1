"""Findings about seed noise: untestable differences and differences within the noise."""

from collections.abc import Iterator, Sequence

from api.report.comparisons import GroupComparison
from api.report.findings.base import QUESTION_NOISE, Finding, comparison_evidence, diff_text


def seed_noise(comparisons: Sequence[GroupComparison]) -> Iterator[Finding]:
    """Which differences with the best config a single seed, or seed noise, leaves undecided."""
    untested = [c for c in comparisons if c.comparison is None]
    if untested:
        statement = (
            f"{len(untested)} of {len(comparisons)} comparisons with {untested[0].best.label} rest "
            f"on fewer than two seeds per config: a single run cannot tell a real difference from "
            f"seed noise. Run the experiment with several seeds."
        )
        evidence = {"jobs": [c.group.job_ids for c in untested], "n": [c.n for c in untested]}
        yield Finding("single_seed", QUESTION_NOISE, statement, evidence)
    for c in comparisons:
        if c.comparison is None or c.significant:
            continue
        statement = (
            f"{c.group.label} against {c.best.label}: {diff_text(c.comparison, c.n)}; "
            f"Holm-adjusted p = {c.p_holm:.2g}, so this difference is within seed noise."
        )
        evidence = {
            "jobs": c.group.job_ids,
            "reference_jobs": c.best.job_ids,
            "p_holm": c.p_holm,
            **comparison_evidence(c.comparison, c.n),
        }
        yield Finding("within_seed_noise", QUESTION_NOISE, statement, evidence)
