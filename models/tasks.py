"""Celery task names and publishing options: the API sends by name, never importing the worker."""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class LimitPolicy:
    """How a job's time limit follows from its work: scaled by `factor`, at most `cap` seconds."""

    factor: float = 1.0
    cap: int | None = None

    def seconds(self, config: JobConfig) -> int:
        """The soft time limit of one job."""
        scaled = max(1, round(time_limit_seconds(config) * self.factor))
        return min(scaled, self.cap) if self.cap else scaled


def train_job_options(
    config: JobConfig, queue: str, policy: LimitPolicy = LimitPolicy()
) -> dict[str, Any]:
    """Options for publishing one job's training task: its queue and its time limits."""
    return stack_options([config], queue, policy)


TRAIN_STACK = "normlab.train_stack"


def stack_key(config: JobConfig) -> tuple[object, ...]:
    """What jobs trained together must share; they may differ in preprocessing, learning rate,
    loss mode and seed."""
    model, training, dataset = config.model, config.training, config.dataset
    return (
        tuple(model.hidden_layers),
        model.activation,
        training.optimizer,
        training.momentum,
        training.batch_size,
        training.epochs,
        dataset.train_size,
        dataset.test_size,
    )


def stacks(jobs: list[tuple[int, JobConfig]], size: int) -> list[list[tuple[int, JobConfig]]]:
    """The jobs in groups of at most `size` that can train together, near-equal in length, in
    submission order; a group of one trains alone."""
    if size <= 1:  # no stacking: every job alone, published in the order it was submitted
        return [[job] for job in jobs]
    by_key: dict[tuple[object, ...], list[tuple[int, JobConfig]]] = {}
    for job in jobs:
        by_key.setdefault(stack_key(job[1]), []).append(job)
    groups = []
    for members in by_key.values():
        count = -(-len(members) // size)
        groups += [members[index::count] for index in range(count)]
    return groups


def stack_options(
    configs: list[JobConfig], queue: str, policy: LimitPolicy = LimitPolicy()
) -> dict[str, Any]:
    """Publishing options of a stack (or of one job): its members' time limits added up."""
    soft = sum(policy.seconds(config) for config in configs)
    return {"queue": queue, "soft_time_limit": soft, "time_limit": soft + HARD_LIMIT_MARGIN_SECONDS}
