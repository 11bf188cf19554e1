"""What the routes do: create and read experiments and jobs, cancel them; no HTTP here."""

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.broker import Broker
from api.errors import BrokerUnavailable, ExperimentNotFound, JobNotFound, NotCancellable
from models.base import utcnow
from models.experiment import Experiment
from models.experiment_spec import ExperimentSpec
from models.job import TERMINAL_STATUSES, Job, JobStatus
from models.metric import EpochMetric

CANCELLABLE_OR_CANCELLED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CANCELLED)
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
    session: Session, *, limit: int, cursor: int | None
) -> tuple[Sequence[Experiment], int | None]:
    """A page of experiments, newest first, and the cursor of the next page."""
    query = select(Experiment).order_by(Experiment.id.desc()).limit(limit + 1)
    if cursor is not None:
        query = query.where(Experiment.id < cursor)
    rows = session.scalars(query).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def list_jobs(
    session: Session,
    *,
    experiment_id: int | None,
    statuses: list[JobStatus],
    limit: int,
    cursor: int | None,
) -> tuple[Sequence[Job], int | None]:
    """A page of jobs in creation order, filtered, and the cursor of the next page."""
    query = select(Job).order_by(Job.id).limit(limit + 1)
    if experiment_id is not None:
        query = query.where(Job.experiment_id == experiment_id)
    if statuses:
        query = query.where(Job.status.in_(statuses))
    if cursor is not None:
        query = query.where(Job.id > cursor)
    rows = session.scalars(query).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def get_job(session: Session, job_id: int) -> Job:
    """The job, or JobNotFound."""
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFound(job_id)
    return job


def job_metrics(session: Session, job_id: int) -> Sequence[EpochMetric]:
    """The job's per-epoch rows, epoch 0 first."""
    get_job(session, job_id)
    return session.scalars(
        select(EpochMetric).where(EpochMetric.job_id == job_id).order_by(EpochMetric.epoch)
    ).all()


def _cancel_where(session: Session, *conditions: object) -> None:
    """Cancel matching queued jobs outright; flag running ones for the worker to stop."""
    now = utcnow()
    session.execute(
        update(Job)
        .where(*conditions, Job.status == JobStatus.QUEUED)  # type: ignore[arg-type]
        .values(status=JobStatus.CANCELLED, cancel_requested_at=now, finished_at=now)
    )
    session.execute(
        update(Job)
        .where(*conditions, Job.status == JobStatus.RUNNING)  # type: ignore[arg-type]
        .where(Job.cancel_requested_at.is_(None))
        .values(cancel_requested_at=now)
    )
    session.commit()


def cancel_job(session: Session, job_id: int) -> Job:
    """Cancel a queued job now, a running one within its epoch; 409 once it has ended."""
    _cancel_where(session, Job.id == job_id)
    job = get_job(session, job_id)
    session.refresh(job)
    if job.status in TERMINAL_STATUSES and job.status != JobStatus.CANCELLED:
        raise NotCancellable(f"job {job_id} has already ended: {job.status}")
    return job


def cancel_experiment(session: Session, experiment_id: int) -> Experiment:
    """Cancel every job of the experiment that has not ended; 409 if all ended uncancelled."""
    experiment = get_experiment(session, experiment_id)
    _cancel_where(session, Job.experiment_id == experiment_id)
    counts = status_counts(session, [experiment_id])[experiment_id]
    if not any(counts.get(status) for status in CANCELLABLE_OR_CANCELLED):
        raise NotCancellable(f"experiment {experiment_id} has already ended; no job to cancel")
    return experiment
