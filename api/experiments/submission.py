"""Submitting an experiment: quota, idempotency, storing its jobs, and publishing their tasks once
the request's transaction has committed."""

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from analysis.adaptive.rounds import first_round
from api.core.errors import IdempotencyMismatch, TooManyRequests
from api.deps import once_committed
from api.experiments.service import get_experiment
from models import lifecycle, rounds
from models.broker import Broker
from models.experiment import Experiment
from models.experiment_spec import ExperimentSpec
from models.idempotency import IdempotencyKey
from models.job import Job, JobStatus
from models.spec import JobConfig

log = logging.getLogger(__name__)
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class Submitted:
    """The experiment, and whether it was created by an earlier request with the same key;
    a new experiment comes with the jobs just stored, a replayed one without."""

    experiment: Experiment
    replayed: bool
    jobs: Sequence[Job] | None = None


def request_hash(spec: ExperimentSpec) -> str:
    """A hash of the validated spec: equal for bodies that mean the same experiment."""
    return hashlib.sha256(
        json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


def _serialise(session: Session, owner: str | None, keyed: bool) -> None:
    """Serialise a key's submissions (and keyed ones without keys) until this transaction ends,
    so the quota's count and the insert it allows are one step, as are an Idempotency-Key's
    lookup and its insert: two racing requests cannot both pass."""
    if session.get_bind().dialect.name != "postgresql":
        # SQLite has one writer: taking the write lock first serialises every writer. No earlier
        # statement of this request wrote, so the driver has no transaction open.
        session.execute(text("BEGIN IMMEDIATE"))
    elif owner is not None or keyed:
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(owner or ""))))


def _check_quota(session: Session, owner: str | None, new_jobs: int, limit: int) -> None:
    if owner is None:
        return
    active = (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .join(Experiment)
            .where(Experiment.owner == owner, Job.status.in_(ACTIVE))
        )
        or 0
    )
    if active + new_jobs > limit:
        raise TooManyRequests(
            f"key {owner!r} has {active} queued or running jobs; {new_jobs} more would pass its "
            f"limit of {limit}",
            retry_after=60,
        )


def _replay(session: Session, owner: str | None, key: str, digest: str) -> Submitted | None:
    found = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.owner == (owner or ""), IdempotencyKey.key == key
        )
    )
    if found is None:
        return None
    if found.request_hash != digest:
        raise IdempotencyMismatch(
            "Idempotency-Key was already used with another request body; use a new key"
        )
    return Submitted(get_experiment(session, found.experiment_id, owner), replayed=True)


def _store(
    session: Session, spec: ExperimentSpec, owner: str | None, follow_up_of: int | None
) -> tuple[Experiment, list[tuple[Job, JobConfig]]]:
    experiment = Experiment(
        name=spec.name, spec=spec.model_dump(mode="json"), owner=owner, follow_up_of=follow_up_of
    )
    first = first_round(spec)
    if first.record is not None:
        rounds.begin(experiment, first.record)
    jobs = [
        (
            Job(
                experiment=experiment,
                config=new.config.model_dump(mode="json"),
                config_key=new.config.key(),
                seed=new.seed,
                epochs=new.config.training.epochs,
                stop_early=spec.stop_early,
                trial=new.trial,
            ),
            new.config,
        )
        for new in first.jobs
    ]
    session.add(experiment)
    session.add_all(job for job, _ in jobs)
    session.flush()  # ids for the events
    lifecycle.created(session, [job for job, _ in jobs])
    return experiment, jobs


def _publish(jobs: list[tuple[Job, JobConfig]], broker: Broker, session: Session) -> None:
    try:
        broker.send_jobs([(job.id, config) for job, config in jobs])
    except Exception:
        # The jobs stay queued without enqueued_at: the worker's relay publishes them later.
        log.warning("broker unavailable: %s jobs left for the relay", len(jobs))
        return
    lifecycle.mark_published(session, [job.id for job, _ in jobs])


def submit(
    session: Session,
    *,
    spec: ExperimentSpec,
    broker: Broker,
    owner: str | None,
    idempotency_key: str | None,
    max_active_jobs: int,
    follow_up_of: int | None = None,
) -> Submitted:
    """Store the experiment and its jobs, to be published once committed; replay a repeated
    key."""
    _serialise(session, owner, keyed=idempotency_key is not None)
    digest = request_hash(spec) if idempotency_key else ""  # only keyed requests are compared
    if idempotency_key and (earlier := _replay(session, owner, idempotency_key, digest)):
        return earlier
    _check_quota(session, owner, spec.expansion_size(), max_active_jobs)
    experiment, jobs = _store(session, spec, owner, follow_up_of)
    if idempotency_key:
        session.add(
            IdempotencyKey(
                owner=owner or "", key=idempotency_key, request_hash=digest, experiment=experiment
            )
        )
    # The worker must find the rows the tasks refer to: published only once they are committed.
    once_committed(session, partial(_publish, jobs, broker))
    return Submitted(experiment, replayed=False, jobs=[job for job, _ in jobs])
