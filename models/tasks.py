"""Celery task names and publishing options: the API sends by name, never importing the worker."""

from typing import Any

from models.limits import time_limit_seconds
from models.spec import JobConfig

TRAIN_JOB = "normlab.train_job"
REAP_STALE_JOBS = "normlab.reap_stale_jobs"
RELAY_UNPUBLISHED = "normlab.relay_unpublished"
# The hard limit kills the process a little after the soft limit asked the job to stop.
HARD_LIMIT_MARGIN_SECONDS = 60


def maintenance_queue(queue: str) -> str:
    """The queue of the reaper and the relay, beside the training queue."""
    return f"{queue}.maintenance"


def train_job_options(config: JobConfig, queue: str, factor: float = 1.0) -> dict[str, Any]:
    """Options for publishing one job's training task: its queue and its time limits."""
    soft = max(1, round(time_limit_seconds(config) * factor))
    return {
        "queue": queue,
        "soft_time_limit": soft,
        "time_limit": soft + HARD_LIMIT_MARGIN_SECONDS,
    }
