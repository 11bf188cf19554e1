"""Findings about the ReLU units of the first hidden layer."""

from collections.abc import Iterator, Sequence

from api.report.findings.base import (
    DEAD_SHARE,
    PIXEL_SCALE_INPUT_MAX,
    QUESTION_RELU,
    Finding,
    lowest_test_loss,
    pct,
)
from api.report.groups import ConfigGroup


def relu_units(groups: Sequence[ConfigGroup]) -> Iterator[Finding]:
    """How many first-layer ReLU units are dead after training, per config."""
    relu = [g for g in groups if g.path("model.activation") == "relu" and g.jobs]
    dead = {g.label: g.diagnostic(g.last_epoch, "hidden_1.dead_share") for g in relu}
    known = {label: share for label, share in dead.items() if share is not None}
    best = lowest_test_loss(relu)
    if not known or best is None or best.label not in known:
        return
    worst = max(relu, key=lambda g: known.get(g.label, -1.0))
    evidence = {
        "dead_share_last_epoch": known,
        "jobs": {g.label: g.job_ids for g in relu},
        "thresholds": {"dead_share": DEAD_SHARE},
    }
    if known[worst.label] < DEAD_SHARE:
        statement = (
            f"ReLU is not the cause: after the last epoch at most {pct(known[worst.label])} of "
            f"first-layer units are dead (zero on every probe sample) in any config "
            f"({worst.label})."
        )
        yield Finding("relu_units_alive", QUESTION_RELU, statement, evidence)
        return
    top = worst.diagnostic(0, "input.max")
    cause = (
        "; its inputs are pixel-scale, and large inputs drive units into the ReLU's flat side, "
        "where they get no gradient either"
        if top is not None and top > PIXEL_SCALE_INPUT_MAX
        else ""
    )
    statement = (
        f"{worst.label}: {pct(known[worst.label])} of first-layer ReLU units are dead (zero on "
        f"every probe sample) after the last epoch, against {pct(known[best.label])} for the best "
        f"config, {best.label}{cause}."
    )
    yield Finding("dead_relu_units", QUESTION_RELU, statement, evidence)
