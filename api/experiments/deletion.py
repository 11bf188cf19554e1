"""Deleting an experiment with everything it holds, once none of its jobs is running."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.core.errors import ExperimentBusy
from api.experiments.service import get_experiment
from models import lifecycle
from models.experiment import Experiment
from models.job import Job, JobStatus


def delete_experiment(session: Session, experiment_id: int, owner: str | None) -> None:
    """Cancel its jobs; delete it (jobs, metrics, diagnostics, events, conditions cascade) once
    none runs, else ExperimentBusy: a running job's worker must stop writing first."""
    get_experiment(session, experiment_id, owner)
    # The cancels stand even if the deletion must wait: ExperimentBusy keeps them (api.deps).
    lifecycle.cancel(session, Job.experiment_id == experiment_id)
    running = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.experiment_id == experiment_id, Job.status == JobStatus.RUNNING)
    )
    if running:
        raise ExperimentBusy(experiment_id, running)
    session.execute(delete(Experiment).where(Experiment.id == experiment_id))
