"""What the end of a job sets off: its adaptive experiment's next round, decided on the
maintenance worker (normlab.advance_experiment), so that no training process waits for it."""

import logging

from sqlalchemy import select

from models.db import session_scope
from models.experiment import Experiment
from worker.publishing import broker

log = logging.getLogger(__name__)


def job_ended(experiment_id: int) -> None:
    """Ask for the next round if the job's experiment may still add one; if Redis is away the
    beat's sweep (normlab.advance_experiments) adds it later."""
    with session_scope() as session:
        row = session.execute(
            select(Experiment.rounds_done, Experiment.stopped).where(Experiment.id == experiment_id)
        ).one_or_none()
    if row is None or row.rounds_done is None or row.stopped is not None:
        return
    try:
        broker().send_advance(experiment_id)
    except Exception:
        log.warning("experiment %s: next round not asked for; the sweep will", experiment_id)
