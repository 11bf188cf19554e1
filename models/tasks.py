"""Celery task names and publishing options: the API sends by name, never importing the worker."""

from dataclasses import dataclass
from typing import Any

from models.limits import time_limit_seconds
from models.spec import JobConfig

TRAIN_JOB = "normlab.train_job"
REAP_STALE_JOBS = "normlab.reap_stale_jobs"
RELAY_UNPUBLISHED = "normlab.relay_unpublished"
# An adaptive experiment's next round, once a job of it ended; and the beat's sweep over every
# adaptive experiment, in case that message was lost.
ADVANCE_EXPERIMENT = "normlab.advance_experiment"
ADVANCE_EXPERIMENTS = "normlab.advance_experiments"
MAINTENANCE_TASKS = (REAP_STALE_JOBS, RELAY_UNPUBLISHED, ADVANCE_EXPERIMENT, ADVANCE_EXPERIMENTS)
# The hard limit kills the process a little after the soft limit asked the job to stop.
HARD_LIMIT_MARGIN_SECONDS = 60


def maintenance_queue(queue: str) -> str:
    """The queue of the reaper, the relay and the rounds, beside the training queue."""
    return f"{queue}.maintenance"


@dataclass(frozen=True)
class LimitPolicy:
    """How a job's time limit follows from its work: scaled by `factor`, at most `cap` seconds."""

    factor: float = 1.0
    cap: int | None = None

    def seconds(self, config: JobConfig) -> int:
        """The soft time limit of one job."""
        scaled = max(1, round(time_limit_seconds(config) * self.factor))
        return min(scaled, self.cap) if self.cap else scaled


def train_job_options(config: JobConfig, policy: LimitPolicy = LimitPolicy()) -> dict[str, Any]:
    """Options for publishing one job's training task: its soft and hard time limits."""
    soft = policy.seconds(config)
    return {"soft_time_limit": soft, "time_limit": soft + HARD_LIMIT_MARGIN_SECONDS}
