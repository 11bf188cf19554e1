"""HTTP shapes that need more than one row: an experiment with its jobs and their counts."""

from collections import Counter

from sqlalchemy.orm import Session

from api.schemas import ExperimentOut, ExperimentSummary, JobOut
from api.services import experiments as services
from models.experiment import Experiment


def experiment_out(session: Session, experiment: Experiment) -> ExperimentOut:
    """The experiment with its jobs and its status derived from them."""
    jobs = services.experiment_jobs(session, experiment.id)
    # Counted from the same rows as the jobs shown, so status and jobs never disagree.
    counts = dict(Counter(str(job.status) for job in jobs))
    summary = ExperimentSummary.from_row(experiment, counts)
    return ExperimentOut(**summary.model_dump(), jobs=[JobOut.from_row(job) for job in jobs])
