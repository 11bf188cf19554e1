"""Experiments: create them with their jobs, read, list, cancel them and their jobs."""

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.broker import Broker
from api.errors import BrokerUnavailable, ExperimentNotFound
from api.pagination import decode_cursor, encode_cursor
from models.base import utcnow
from models.experiment import Experiment
from models.experiment_spec import ExperimentSpec
from models.job import Job, JobStatus

BROKER_DOWN = "could not be queued: the task broker is unavailable"


def create_experiment(session: Session, *, spec: ExperimentSpec, broker: Broker) -> Experiment:
    """Store the experiment and its jobs, commit, then queue one task per job."""
    experiment = Experiment(name=spec.name, spec=spec.model_dump(mode="json"))
    session.add(experiment)
    jobs = [
        Job(
            experiment=experiment,
            config=config.model_dump(mode="json"),
            config_key=config.key(),
            seed=seed,
            epochs=config.training.epochs,
        )
        for config, seed in spec.expand()
    ]
    session.add_all(jobs)
    session.commit()  # the worker must find the rows the tasks refer to
    try:
        broker.send_jobs([job.id for job in jobs])
    except Exception as error:
        _fail_unqueued(session, experiment.id)
        raise BrokerUnavailable(f"experiment {experiment.id}: jobs {BROKER_DOWN}") from error
    return experiment


def _fail_unqueued(session: Session, experiment_id: int) -> None:
    session.execute(
        update(Job)
        .where(Job.experiment_id == experiment_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.FAILED, error=BROKER_DOWN, finished_at=utcnow())
    )
    session.commit()


def get_experiment(session: Session, experiment_id: int) -> Experiment:
    """The experiment, or ExperimentNotFound."""
    experiment = session.get(Experiment, experiment_id)
    if experiment is None:
        raise ExperimentNotFound(experiment_id)
    return experiment


def experiment_jobs(session: Session, experiment_id: int) -> Sequence[Job]:
    """The experiment's jobs in creation order."""
    return session.scalars(
        select(Job).where(Job.experiment_id == experiment_id).order_by(Job.id)
    ).all()


def status_counts(session: Session, experiment_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each experiment, how many of its jobs are in each status."""
    rows = session.execute(
        select(Job.experiment_id, Job.status, func.count())
        .where(Job.experiment_id.in_(experiment_ids))
        .group_by(Job.experiment_id, Job.status)
    )
    counts: dict[int, dict[str, int]] = {experiment_id: {} for experiment_id in experiment_ids}
    for experiment_id, status, count in rows:
        counts[experiment_id][status] = count
    return counts


def list_experiments(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[Sequence[Experiment], str | None]:
    """A page of experiments, newest first, and the cursor of the next page."""
    query = select(Experiment).order_by(Experiment.id.desc()).limit(limit + 1)
    before = decode_cursor(cursor, "before")
    if before is not None:
        query = query.where(Experiment.id < before)
    rows = session.scalars(query).all()
    more = len(rows) > limit
    return rows[:limit], encode_cursor({"before": rows[limit - 1].id}) if more else None
