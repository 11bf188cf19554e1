"""Adaptive experiments' rounds, on the maintenance worker.

Once every job of a round has ended (a search: once a trial has a free place), the next
round's jobs are added behind the fence on the experiment row (models.rounds), committed, then
published; or the experiment stops adding rounds, saying why. Safe to run anywhere, any number
of times at once: a process that lost the fence looks again at what the winner left.
"""

import logging
from collections.abc import Callable

from sqlalchemy import select

from analysis.adaptive.rounds import next_step
from analysis.report.records import load_records
from models import lifecycle, rounds
from models.db import session_scope
from models.experiment import Experiment, pending_round
from models.spec import JobConfig
from worker.jobs import retrying

log = logging.getLogger(__name__)
Publish = Callable[[list[tuple[int, JobConfig]]], None]
# A process that lost the fence looks again; past this, another process is busy with it.
LOOKS = 3
IDLE, WAITING, ADDED, LOST = "idle", "waiting", "added", "lost"


def _step(experiment_id: int) -> tuple[str, list[tuple[int, JobConfig]]]:
    """Decide and write one step: its outcome, and the jobs it added."""
    with session_scope() as session:
        experiment = session.get(Experiment, experiment_id)
        if experiment is None or not pending_round(experiment):
            return IDLE, []
        fence = rounds.fence_of(experiment)
        step = next_step(load_records(session, experiment_id), experiment.spec)
        if step.stopped is not None:
            return (step.stopped if rounds.stop(session, fence, step.stopped) else LOST), []
        if not step.jobs or step.record is None:
            return WAITING, []
        new = [(job.config, job.seed, job.trial) for job in step.jobs]
        added = rounds.add(session, fence, step.record, new)
        if added is None:
            return LOST, []
        return ADDED, [(job.id, config) for job, (config, _, _) in zip(added, new, strict=True)]


def _publish(jobs: list[tuple[int, JobConfig]], publish: Publish) -> None:
    try:
        publish(jobs)
    except Exception:
        # The jobs stay queued without enqueued_at: the relay publishes them later.
        log.warning("broker unavailable: %s jobs of a round left for the relay", len(jobs))
        return
    with session_scope() as session:
        lifecycle.mark_published(session, [job_id for job_id, _ in jobs])


def advance(experiment_id: int, publish: Publish) -> str:
    """Add the experiment's next round if its last has ended, or stop it; how it went."""
    outcome = LOST
    for _ in range(LOOKS):
        outcome, added = retrying(lambda: _step(experiment_id))
        if added:
            _publish(added, publish)
            log.info("experiment %s: round added, %s jobs", experiment_id, len(added))
        if outcome != LOST:
            break
    return outcome


def advance_all(publish: Publish) -> dict[int, str]:
    """Every adaptive experiment that may still add a round, advanced: the beat's sweep, for
    a round whose last job's message was lost."""
    with session_scope() as session:
        pending = session.scalars(
            select(Experiment.id).where(
                Experiment.rounds_done.is_not(None), Experiment.stopped.is_(None)
            )
        ).all()
    return {experiment_id: advance(experiment_id, publish) for experiment_id in pending}
