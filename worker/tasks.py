"""Celery tasks: thin, like views; they take ids and hand the work to plain functions."""

from models.tasks import TRAIN_JOB
from worker.celery_app import app


@app.task(name=TRAIN_JOB)  # type: ignore[untyped-decorator]
def train_job(job_id: int) -> str:
    """Claim, train and record one job; a duplicate delivery finds nothing to claim."""
    # Imported here so that TensorFlow loads only in the child process that trains.
    from worker.runner import run_job

    return run_job(job_id)
