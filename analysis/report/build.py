"""Assemble the report from an experiment's stored rows."""

import math
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.adaptive.report import adapted, judging
from analysis.conditions.words import condition_words
from analysis.report.comparisons import (
    DEFAULT_MARGINS,
    DEFAULT_METRIC,
    Metric,
    PairComparison,
    best_group,
    compare_all,
)
from analysis.report.confirmations import CONFIRMED, NOT_CONFIRMED, PENDING, confirm
from analysis.report.findings import pair_finding
from analysis.report.followups import FollowUp, follow_ups
from analysis.report.groups import ConfigGroup, group_jobs
from analysis.report.records import JobRecord, load_records
from analysis.report.schemas import (
    ComparisonRow,
    ConfigConditionOut,
    ConfigRow,
    CurvePoint,
    FindingOut,
    Interval,
    Report,
)
from analysis.report.statistics import Verdict, summarize
from analysis.report.summary import summary
from analysis.report.wording import count
from models.experiment import Experiment
from models.job import ACTIVE_STATUSES
from models.limits import CHANCE_LOSS


def _interval(values: list[float]) -> Interval | None:
    finite = [v for v in values if math.isfinite(v)]
    return Interval.of(summarize(finite)) if finite else None


def curve(group: ConfigGroup) -> list[CurvePoint]:
    """Per-epoch mean and interval over the seeds that succeeded."""
    if not group.jobs:
        return []
    return [
        CurvePoint(
            epoch=epoch,
            loss=_interval(group.epoch_values(epoch, "loss")),
            test_loss=_interval(group.epoch_values(epoch, "test_loss")),
            test_accuracy=_interval(group.epoch_values(epoch, "test_accuracy")),
        )
        for epoch in range(group.last_epoch + 1)
    ]


def config_row(group: ConfigGroup) -> ConfigRow:
    """A group's final figures, its conditions and its per-epoch mean curves."""
    finals = {f"final_{m}": Interval.of(group.final_summary(m)) for m in Metric}
    return ConfigRow(
        key=group.key,
        label=group.label,
        config=group.config,
        job_ids=group.job_ids,
        seeds=sorted(job.seed for job in group.jobs),
        learned=group.learned(),
        stuck_seeds=sum(1 for job in group.jobs if job.stuck),
        stopped_early_seeds=sum(1 for job in group.jobs if job.stopped_early),
        conditions=[ConfigConditionOut(**asdict(c)) for c in group.conditions()],
        curve=curve(group),
        **finals,
    )


def comparison_row(item: PairComparison) -> ComparisonRow:
    """One compared pair, with its corrected interval and verdict."""
    j = item.judgement
    d = j.difference if j else None
    return ComparisonRow(
        a=item.a.label,
        b=item.b.label,
        factors=item.factors,
        metric=item.metric,
        verdict=j.verdict if j else Verdict.UNTESTABLE,
        test=d.test if d else None,
        n=d.n if d else None,
        difference=d.difference if d else None,
        ci_low=j.ci_low if j else None,
        ci_high=j.ci_high if j else None,
        comparisons=j.comparisons if j else None,
        p=j.p if j else None,
        p_adjusted=j.p_adjusted if j else None,
        margin=j.margin if j else 0.0,
        seeds_needed=j.seeds_needed if j else None,
        note=item.note,
    )


def standing(records: Sequence[JobRecord]) -> list[str]:
    """Which jobs the answer does not rest on yet: those still to run, and those that ended
    without an outcome (cancelled, or failed for a reason other than diverging)."""
    active = sum(1 for job in records if job.status in ACTIVE_STATUSES)
    left_out = sum(1 for job in records if job.status not in ACTIVE_STATUSES and not job.ended)
    sentences = []
    if active:
        sentences.append(
            f"Provisional: {active} of {count(len(records), 'job')} still queued or running; "
            "this answer will change."
        )
    stopped = [job for job in records if job.stopped_early]
    if stopped:
        epochs = sorted({job.stopped_early["epoch"] for job in stopped if job.stopped_early})
        causes = sorted({job.stopped_early["condition"] for job in stopped if job.stopped_early})
        sentences.append(
            f"{count(len(stopped), 'job')} stopped early, at epoch "
            f"{' or '.join(str(e) for e in epochs)}, once "
            f"{' or '.join(condition_words(c) for c in causes)} made the failure certain; "
            "their figures are those of that epoch."
        )
    if left_out:
        sentences.append(
            f"{count(left_out, 'job')} cancelled or failed without an outcome; left out."
        )
    return sentences


def confirmation_sentences(tested: Sequence[FollowUp]) -> list[str]:
    """What each follow-up that was run showed: a diagnosis confirmed, or still open."""
    heads = {
        CONFIRMED: "Confirmed by experiment {id}",
        NOT_CONFIRMED: "Still open: experiment {id} did not confirm",
        PENDING: "Being tested by experiment {id}",
    }
    sentences = []
    for f in tested:
        if f.confirmation is not None:
            head = heads[f.confirmation.verdict].format(id=f.confirmation.experiment_id)
            what = f"{condition_words(f.condition)} in {f.config}"
            sentences.append(f"{head} ({what}): {f.confirmation.statement}")
    return sentences


def build_report(
    session: Session,
    experiment: Experiment,
    status: str,
    *,
    metric: Metric | None = None,
    margin: float | None = None,
) -> Report:
    """The report of one experiment on one metric (by default its design's), from its jobs,
    epochs and conditions, with its follow-ups' outcomes from the experiments that ran them
    and an adaptive experiment's rounds."""
    groups = group_jobs(load_records(session, experiment.id))
    followers = session.scalars(
        select(Experiment.id)
        .where(Experiment.follow_up_of == experiment.id)
        .order_by(Experiment.id.desc())
    )
    runs = [(experiment.id, groups)] + [
        (follower, group_jobs(load_records(session, follower))) for follower in followers
    ]
    judged = judging(experiment, groups, metric, margin)
    report = report_of(
        groups,
        experiment_id=experiment.id,
        name=experiment.name,
        status=status,
        metric=judged.metric,
        margin=judged.margin,
        runs=runs,
        comparisons=judged.comparisons,
        compared=judged.compared,
    )
    return adapted(report, experiment, groups)


def report_of(
    groups: Sequence[ConfigGroup],
    *,
    experiment_id: int,
    name: str,
    status: str,
    metric: Metric = DEFAULT_METRIC,
    margin: float | None = None,
    runs: Sequence[tuple[int, Sequence[ConfigGroup]]] = (),
    comparisons: int | None = None,
    compared: Sequence[ConfigGroup] | None = None,
) -> Report:
    """The report of config groups on one metric (one experiment's, or two side by side);
    `runs` are the experiments whose groups may hold the follow-ups' changed configs. Pairs
    are chosen among `compared` (default: every group) and corrected for `comparisons`
    (default: the pairs tested)."""
    margin = DEFAULT_MARGINS[metric] if margin is None else margin
    chosen = compare_all(groups if compared is None else compared, metric, margin, comparisons)
    best = best_group(groups, metric) if len(groups) > 1 else None
    records = [job for group in groups for job in group.records]
    tested = confirm(follow_ups(groups), groups, runs, metric)
    sentences = summary(groups, chosen, metric) + confirmation_sentences(tested)
    return Report(
        experiment_id=experiment_id,
        name=name,
        status=status,
        provisional=any(job.status in ACTIVE_STATUSES for job in records),
        summary=sentences[:1] + standing(records) + sentences[1:],
        chance_loss=CHANCE_LOSS,
        metric=metric,
        margin=margin,
        best=best.label if best else None,
        configs=[config_row(group) for group in groups],
        comparisons=[comparison_row(item) for item in chosen],
        findings=[
            FindingOut(**asdict(pair_finding(i, item))) for i, item in enumerate(chosen, start=1)
        ],
        follow_ups=tested,
    )
