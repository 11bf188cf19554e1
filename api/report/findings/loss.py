"""Findings about the loss computation: clipped samples, and the two modes side by side."""

from collections.abc import Iterator, Sequence

from api.report.comparisons import compare
from api.report.findings.base import (
    CHANCE_LOSS,
    CLIPPED_LOSS,
    CLIPPED_SHARE,
    QUESTION_LOSS,
    QUESTION_STUCK,
    SIGNIFICANCE,
    Finding,
    comparison_evidence,
    diff_text,
    num,
    pct,
    stuck_majority,
)
from api.report.groups import ConfigGroup, differs_only_in, preprocessing_label


def clipped_shares(group: ConfigGroup) -> list[float]:
    """The mean clipped share over seeds at each trained epoch."""
    shares = [
        group.diagnostic(epoch, "output.clipped_true_share")
        for epoch in range(1, group.last_epoch + 1)
    ]
    return [share for share in shares if share is not None]


def logits_twin(group: ConfigGroup, groups: Sequence[ConfigGroup]) -> ConfigGroup | None:
    """The same config with the other loss computation, if the experiment ran it."""
    return next((g for g in groups if differs_only_in(g, group, "loss.") and g.jobs), None)


def why_stuck(groups: Sequence[ConfigGroup]) -> Iterator[Finding]:
    """Under clipped probabilities, clipped samples give no gradient: stuck, not slow."""
    for group in groups:
        shares = clipped_shares(group)
        clipped_mode = group.path("loss.mode") == "clipped_probabilities"
        if clipped_mode and shares and min(shares) >= CLIPPED_SHARE:
            yield _stuck_finding(group, shares, logits_twin(group, groups))


def _stuck_finding(group: ConfigGroup, shares: list[float], twin: ConfigGroup | None) -> Finding:
    final = group.final_summary("loss")
    grad = group.diagnostic(group.last_epoch, "output.grad_norm")
    twin_grad = twin.diagnostic(twin.last_epoch, "output.grad_norm") if twin else None
    stuck = sum(1 for job in group.jobs if job.stuck)
    against = (
        f" against {num(twin_grad)} for the same config with the loss from logits" if twin else ""
    )
    statement = (
        f"{group.label}: {pct(min(shares))} to {pct(max(shares))} of probe samples have a "
        f"true-class probability at or below 1e-7 after every epoch. Under clipped probabilities "
        f"each adds -ln(1e-7) = 16.118 to the loss and no gradient, so the loss sits at "
        f"{num(final.mean if final else None)}, close to 16.118 x {shares[-1]:.2f} = "
        f"{CLIPPED_LOSS * shares[-1]:.2f}. The output layer's gradient norm is {num(grad)}"
        f"{against}. The run is stuck, not slow: {stuck} of {len(group.jobs)} seeds are flagged "
        f"stuck."
    )
    evidence = {
        "jobs": group.job_ids,
        "clipped_share_by_epoch": shares,
        "final_loss_mean": final.mean if final else None,
        "predicted_loss": CLIPPED_LOSS * shares[-1],
        "output_grad_norm": grad,
        "logits_twin_jobs": twin.job_ids if twin else None,
        "logits_twin_output_grad_norm": twin_grad,
        "stuck_seeds": stuck,
        "thresholds": {"clipped_share": CLIPPED_SHARE},
    }
    return Finding("clipped_samples_give_no_gradient", QUESTION_STUCK, statement, evidence)


def loss_mode(groups: Sequence[ConfigGroup]) -> Iterator[Finding]:
    """The same config under both loss computations, paired over seeds."""
    for clipped in groups:
        twin = logits_twin(clipped, groups)
        if clipped.path("loss.mode") == "clipped_probabilities" and clipped.jobs and twin:
            yield _loss_mode_finding(clipped, twin)


def _loss_mode_finding(clipped: ConfigGroup, twin: ConfigGroup) -> Finding:
    comparison, n, _ = compare(clipped, twin)
    a, b = clipped.final_summary("loss"), twin.final_summary("loss")
    a_mean, b_mean = (a.mean if a else None), (b.mean if b else None)
    subject = (
        f"{preprocessing_label(clipped.config)}: from the same initial weights and batches, the "
        f"final train loss is {num(a_mean)} with clipped probabilities and {num(b_mean)} with the "
        f"loss from logits"
    )
    if stuck_majority(clipped) and not stuck_majority(twin):
        kind, verdict = (
            "loss_mode_decides",
            (": the clipping of the softmax output, not the network, keeps this run stuck."),
        )
    elif comparison is not None and comparison.p >= SIGNIFICANCE:
        kind, verdict = "loss_mode_agrees", "; the two computations agree within seed noise."
    else:
        kind, verdict = "loss_mode_differs", "."
    statement = subject + verdict
    if comparison is not None:
        statement += f" Test loss, clipped minus logits: {diff_text(comparison, n)}."
    evidence = {
        "jobs": clipped.job_ids,
        "logits_jobs": twin.job_ids,
        "final_loss_clipped": a_mean,
        "final_loss_logits": b_mean,
        "stuck_seeds_clipped": sum(1 for job in clipped.jobs if job.stuck),
        "stuck_seeds_logits": sum(1 for job in twin.jobs if job.stuck),
        "chance_loss": CHANCE_LOSS,
        **comparison_evidence(comparison, n),
    }
    return Finding(kind, QUESTION_LOSS, statement, evidence)
