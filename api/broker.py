"""A broker-only Celery client: the API sends tasks by name and never imports the worker."""

from celery import Celery

from models.settings import Settings
from models.spec import JobConfig
from models.tasks import (
    TRAIN_JOB,
    TRAIN_STACK,
    LimitPolicy,
    stack_options,
    stacks,
)


class Broker:
    """Publishes training tasks to the worker queue, failing fast when Redis is down."""

    def __init__(self, settings: Settings) -> None:
        timeout = settings.broker_timeout
        self.queue = settings.queue
        self.limits = LimitPolicy(settings.time_limit_factor, settings.max_job_seconds)
        self.stack_size = settings.stack_size
        self.timeout = timeout
        self.celery = Celery("normlab-api", broker=settings.redis_url)
        self.celery.conf.update(
            broker_connection_timeout=timeout,
            broker_transport_options={
                "visibility_timeout": settings.visibility_timeout,
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
            },
        )

    def send_jobs(self, jobs: list[tuple[int, JobConfig]]) -> None:
        """Publish the jobs' training tasks with their time limits: a stack for jobs that can
        train together, one task per job otherwise; raises if Redis is down."""
        retry = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5}
        with self.celery.producer_or_acquire() as producer:
            for group in stacks(jobs, self.stack_size):
                ids, configs = [job_id for job_id, _ in group], [config for _, config in group]
                options = stack_options(configs, self.queue, self.limits)
                name, args = (TRAIN_JOB, ids) if len(ids) == 1 else (TRAIN_STACK, [ids])
                self.celery.send_task(
                    name, args=args, producer=producer, retry=True, retry_policy=retry, **options
                )

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
