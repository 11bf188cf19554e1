"""HTTP shapes that need more than one row: experiments with their jobs, counts and report."""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.report.build import build_report
from api.report.comparisons import DEFAULT_METRIC, Metric
from api.report.schemas import Report
from api.schemas import ExperimentOut, ExperimentSummary, JobOut
from api.services import experiments as services
from models.experiment import Experiment, experiment_status
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
    metric: Metric = DEFAULT_METRIC,
    margin: float | None = None,
) -> Report:
    """The experiment's report, with its status as its jobs' counts give it now."""
    counts = services.status_counts(session, [experiment.id])[experiment.id]
    status = experiment_status(counts)
    return build_report(session, experiment, status, metric=metric, margin=margin)
