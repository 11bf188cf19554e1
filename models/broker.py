"""The broker's one client: Celery's shared settings and the publisher of training tasks.

Tasks go out by name (models.tasks), so neither the API nor the worker's relay imports the
code that runs them.
"""

import base64
import binascii
import json
from typing import Any

from celery import Celery

from models.settings import Settings
from models.spec import JobConfig
from models.tasks import (
    ADVANCE_EXPERIMENT,
    MAINTENANCE_TASKS,
    TRAIN_JOB,
    LimitPolicy,
    maintenance_queue,
    train_job_options,
)

RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5}


def celery_config(settings: Settings) -> dict[str, Any]:
    """What every Celery client of the service agrees on: the broker, the queues, redelivery."""
    maintenance = maintenance_queue(settings.queue)
    return {
        "broker_url": settings.redis_url,
        "task_default_queue": settings.queue,
        "task_routes": {name: {"queue": maintenance} for name in MAINTENANCE_TASKS},
        "broker_transport_options": {"visibility_timeout": settings.visibility_timeout},
    }


class Broker:
    """Publishes training tasks by name, failing fast when Redis is down."""

    def __init__(self, settings: Settings) -> None:
        self.timeout = timeout = settings.broker_timeout
        self.queue = settings.queue
        self.limits = LimitPolicy(settings.time_limit_factor, settings.max_job_seconds)
        config = celery_config(settings)
        config["broker_connection_timeout"] = timeout
        config["broker_transport_options"] |= {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        }
        # Not the process's current app: in a worker, that stays the worker's own.
        self.celery = Celery("normlab-publisher", set_as_current=False)
        self.celery.conf.update(config)

    def send_jobs(self, jobs: list[tuple[int, JobConfig]]) -> None:
        """Publish one training task per job, with its time limits; raises if Redis is down."""
        with self.celery.producer_or_acquire() as producer:
            for job_id, config in jobs:
                self.celery.send_task(
                    TRAIN_JOB,
                    args=[job_id],
                    producer=producer,
                    retry=True,
                    retry_policy=RETRY_POLICY,
                    **train_job_options(config, self.limits),
                )

    def send_advance(self, experiment_id: int) -> None:
        """Ask the maintenance worker to add an adaptive experiment's next round if its last
        one has ended; raises if Redis is down."""
        self.celery.send_task(
            ADVANCE_EXPERIMENT, args=[experiment_id], retry=True, retry_policy=RETRY_POLICY
        )

    def waiting_jobs(self) -> set[int]:
        """The jobs whose training task waits in the queue, not yet delivered to a worker."""
        with self.celery.connection_for_read() as connection:
            messages = connection.default_channel.client.lrange(self.queue, 0, -1)
        return {job_id for raw in messages if (job_id := job_of_message(raw)) is not None}

    def ping(self) -> bool:
        """Whether the broker answers within the timeout."""
        try:
            with self.celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout)
        except Exception:
            return False
        return True

    def close(self) -> None:
        """Release the client's connections."""
        self.celery.close()


def job_of_message(raw: bytes | str) -> int | None:
    """The job id of a training task as Celery's Redis transport stores it in a queue; None for
    any other message."""
    try:
        message = json.loads(raw)
        if message["headers"].get("task") != TRAIN_JOB:
            return None
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        return int(json.loads(body)[0][0])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, binascii.Error):
        return None
