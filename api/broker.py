"""A broker-only Celery client: the API sends tasks by name and never imports the worker."""

from celery import Celery

from models.settings import Settings
from models.spec import JobConfig
from models.tasks import TRAIN_JOB, LimitPolicy, train_job_options


class Broker:
    """Publishes training tasks to the worker queue, failing fast when Redis is down."""

    def __init__(self, settings: Settings) -> None:
        timeout = settings.broker_timeout
        self.queue = settings.queue
        self.limits = LimitPolicy(settings.time_limit_factor, settings.max_job_seconds)
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
        """Publish one training task per job, with its time limits; raises if Redis is down."""
        retry = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5}
        with self.celery.producer_or_acquire() as producer:
            for job_id, config in jobs:
                options = train_job_options(config, self.queue, self.limits)
                self.celery.send_task(
                    TRAIN_JOB,
                    args=[job_id],
                    producer=producer,
                    retry=True,
                    retry_policy=retry,
                    **options,
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
