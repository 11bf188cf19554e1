"""Findings about the input scale: why rescale, and why a larger divisor learns slower."""

from collections.abc import Iterator, Sequence
from typing import Any

from api.report.comparisons import compare
from api.report.findings.base import (
    CHANCE_LOSS,
    PIXEL_SCALE_INPUT_MAX,
    QUESTION_DIVISOR,
    QUESTION_RESCALE,
    SATURATING_LOGIT_RATIO,
    SIGNIFICANCE,
    Finding,
    comparison_evidence,
    diff_text,
    lowest_test_loss,
    mean,
    num,
    pct,
    unit_scale,
)
from api.report.groups import ConfigGroup, differs_only_in

# The epoch-1 gap shrunk to half or less by the last epoch: catching up; to less than 90%:
# narrowing; otherwise not closing.
CATCHING_UP = 0.5
NOT_CLOSING = 0.9


def _reference(group: ConfigGroup, candidates: Sequence[ConfigGroup]) -> ConfigGroup | None:
    """The unit-scale config that differs only in preprocessing, best first; else the best."""
    same = [c for c in candidates if differs_only_in(c, group, "preprocessing.")]
    return lowest_test_loss(same or candidates)


def why_rescale(groups: Sequence[ConfigGroup]) -> Iterator[Finding]:
    """Pixel-scale inputs saturate the untrained network's softmax."""
    references = unit_scale(groups)
    for group in groups:
        top, reference = group.diagnostic(0, "input.max"), _reference(group, references)
        if top is None or top <= PIXEL_SCALE_INPUT_MAX or reference is None:
            continue
        spread = group.diagnostic(0, "output.logit_std")
        base = reference.diagnostic(0, "output.logit_std")
        if not spread or not base or spread < SATURATING_LOGIT_RATIO * base:
            continue
        yield _rescale_finding(group, reference, spread, base)


def _rescale_finding(
    group: ConfigGroup, reference: ConfigGroup, spread: float, base: float
) -> Finding:
    saturated = group.diagnostic(0, "output.saturated_share")
    loss0 = mean(group.epoch_values(0, "loss"))
    statement = (
        f"{group.label}: inputs reach {num(group.diagnostic(0, 'input.max'))} (std "
        f"{num(group.diagnostic(0, 'input.std'))}) against "
        f"{num(reference.diagnostic(0, 'input.max'))} with {reference.label}. Before any training "
        f"the logits' std is {num(spread)} against {num(base)}, {pct(saturated)} of probe samples "
        f"already have a saturated softmax, and the loss is {num(loss0)} against ln 10 = 2.303 at "
        f"chance. The initial weights are scaled for inputs of unit size, so pixels that share "
        f"one scale still need rescaling: that one scale is {spread / base:.0f}x too large at the "
        f"output."
    )
    evidence = {
        "jobs": group.job_ids,
        "reference_jobs": reference.job_ids,
        "input_max": group.diagnostic(0, "input.max"),
        "reference_input_max": reference.diagnostic(0, "input.max"),
        "logit_std_epoch_0": spread,
        "reference_logit_std_epoch_0": base,
        "saturated_share_epoch_0": saturated,
        "loss_epoch_0": loss0,
        "chance_loss": CHANCE_LOSS,
        "thresholds": {
            "input_max": PIXEL_SCALE_INPUT_MAX,
            "logit_std_ratio": SATURATING_LOGIT_RATIO,
        },
    }
    return Finding("pixel_scale_inputs_saturate", QUESTION_RESCALE, statement, evidence)


def smaller_inputs(groups: Sequence[ConfigGroup]) -> Iterator[Finding]:
    """Two divisors, otherwise the same config: the larger gives smaller inputs."""
    scaled = [g for g in groups if g.path("preprocessing.method") == "scale" and g.jobs]
    for small in scaled:
        for large in scaled:
            divisors = large.path("preprocessing.divisor"), small.path("preprocessing.divisor")
            if divisors[0] > divisors[1] and differs_only_in(large, small, "preprocessing."):
                yield from _divisor_finding(large, small)


def _test_loss_gap(large: ConfigGroup, small: ConfigGroup, epoch: int) -> float:
    a, b = (
        mean(large.epoch_values(epoch, "test_loss")),
        mean(small.epoch_values(epoch, "test_loss")),
    )
    return (a or 0.0) - (b or 0.0)


def _divisor_finding(large: ConfigGroup, small: ConfigGroup) -> Iterator[Finding]:
    a, b = large.final_summary("test_loss"), small.final_summary("test_loss")
    if a is None or b is None or a.mean <= b.mean:
        return
    comparison, n, note = compare(large, small)
    ratio = large.path("preprocessing.divisor") / small.path("preprocessing.divisor")
    last = min(large.last_epoch, small.last_epoch)
    gaps = _test_loss_gap(large, small, 1), _test_loss_gap(large, small, last)
    moves = [g.diagnostic(1, "hidden_1.update_ratio") for g in (large, small)]
    if comparison is None:
        difference = f"{a.mean - b.mean:+.3f} ({note})"
    else:
        noise = "" if comparison.p < SIGNIFICANCE else ", within seed noise at this size"
        difference = diff_text(comparison, n) + noise
    yield Finding(
        "smaller_inputs_learn_slower",
        QUESTION_DIVISOR,
        _divisor_statement(large, small, difference, ratio, gaps, moves, last),
        _divisor_evidence(large, small, ratio, gaps, moves, last)
        | comparison_evidence(comparison, n),
    )


def curve_shape(gaps: tuple[float, float]) -> str:
    """How the gap between two curves changed from epoch 1 to the last epoch."""
    first, final = gaps
    if first > 0 and final <= CATCHING_UP * first:
        return "it learns more slowly and is catching up, not settling on a worse optimum"
    if first > 0 and final < NOT_CLOSING * first:
        return "the gap narrows, slowly"
    return "the gap is not closing within these epochs"


def _divisor_statement(
    large: ConfigGroup,
    small: ConfigGroup,
    difference: str,
    ratio: float,
    gaps: tuple[float, float],
    moves: list[float | None],
    last: int,
) -> str:
    return (
        f"{large.label} against {small.label}: final test loss higher by {difference}. Its inputs "
        f"are {ratio:.2g}x smaller (input std {num(large.diagnostic(0, 'input.std'))} against "
        f"{num(small.diagnostic(0, 'input.std'))}). Adam normalises each weight's step, so the "
        f"first layer moved by {num(moves[0])} of its norm in epoch 1 (against {num(moves[1])}), "
        f"yet each unit of weight change moves that layer's output {ratio:.2g}x less. The "
        f"test-loss gap is {gaps[0]:+.3f} after epoch 1 and {gaps[1]:+.3f} after epoch {last}: "
        f"{curve_shape(gaps)}."
    )


def _divisor_evidence(
    large: ConfigGroup,
    small: ConfigGroup,
    ratio: float,
    gaps: tuple[float, float],
    moves: list[float | None],
    last: int,
) -> dict[str, Any]:
    return {
        "jobs": large.job_ids,
        "reference_jobs": small.job_ids,
        "input_ratio": ratio,
        "test_loss_gap_epoch_1": gaps[0],
        "test_loss_gap_last_epoch": gaps[1],
        "last_epoch": last,
        "first_layer_update_ratio_epoch_1": moves,
    }
