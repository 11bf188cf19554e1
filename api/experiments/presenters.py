"""HTTP shapes that need more than one row: experiments with their jobs, counts and report."""

from collections import Counter
from collections.abc import Sequence

from fastapi import Response
from sqlalchemy.orm import Session

from analysis.report import side_by_side
from analysis.report.build import build_report
from analysis.report.comparisons import DEFAULT_METRIC, Metric
from analysis.report.records import load_records
from analysis.report.schemas import Report
from api.core.errors import InvalidComparison
from api.deps import MAX_ID
from api.experiments import service as services
from api.experiments.schemas import CompareQuery, ExperimentOut, ExperimentSummary
from api.experiments.submission import Submitted
from api.jobs.schemas import JobOut
from models.experiment import Experiment, experiment_status, pending_round
from models.job import Job


def experiment_out(
    session: Session, experiment: Experiment, jobs: Sequence[Job] | None = None
) -> ExperimentOut:
    """The experiment with its jobs (read unless given) and its status derived from them."""
    if jobs is None:
        jobs = services.experiment_jobs(session, experiment.id)
    # Counted from the same rows as the jobs shown, so status and jobs never disagree.
    counts = dict(Counter(str(job.status) for job in jobs))
    summary = ExperimentSummary.from_row(experiment, counts)
    return ExperimentOut(**summary.model_dump(), jobs=[JobOut.from_row(job) for job in jobs])


def experiment_summaries(
    session: Session, experiments: Sequence[Experiment]
) -> list[ExperimentSummary]:
    """Experiments without their jobs, each with its counts per job status."""
    counts = services.status_counts(session, [row.id for row in experiments])
    return [ExperimentSummary.from_row(row, counts[row.id]) for row in experiments]


def experiment_report(
    session: Session,
    experiment: Experiment,
    *,
    metric: Metric | None = None,
    margin: float | None = None,
) -> Report:
    """The experiment's report, with its status as its jobs' counts give it now."""
    counts = services.status_counts(session, [experiment.id])[experiment.id]
    status = experiment_status(counts, pending=pending_round(experiment))
    return build_report(session, experiment, status, metric=metric, margin=margin)


def submitted_response(session: Session, submitted: Submitted, response: Response) -> ExperimentOut:
    """The new (or replayed) experiment; its Location, and whether replayed, in the headers."""
    response.headers["Location"] = f"/experiments/{submitted.experiment.id}"
    if submitted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return experiment_out(session, submitted.experiment, submitted.jobs)


def compared_ids(ids: str) -> list[int]:
    """`"1,2"` -> `[1, 2]`; InvalidComparison unless two distinct ids."""
    found = [int(part) for part in ids.split(",")]
    if len(set(found)) != 2 or not all(1 <= i <= MAX_ID for i in found):
        raise InvalidComparison(f"ids: two distinct experiment ids from 1 to {MAX_ID} are needed")
    return found


def experiment_comparison(
    session: Session, query: CompareQuery, owner: str | None
) -> side_by_side.ExperimentComparison:
    """Two of the caller's experiments side by side, with the report's statistics."""
    ids = compared_ids(query.ids)
    experiments = [services.get_experiment(session, i, owner) for i in ids]
    counts = services.status_counts(session, ids)
    sides = [
        side_by_side.Side(row.id, row.name, counts[row.id], load_records(session, row.id))
        for row in experiments
    ]
    return side_by_side.compare(sides, metric=query.metric or DEFAULT_METRIC, margin=query.margin)
