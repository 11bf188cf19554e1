"""The worker's publisher: one broker client per process, for the relay, the rounds and the
end of a job."""

from functools import cache

from models.broker import Broker
from models.settings import get_settings
from models.spec import JobConfig


@cache
def broker() -> Broker:
    """This process's broker client."""
    return Broker(get_settings())


def publish_jobs(jobs: list[tuple[int, JobConfig]]) -> None:
    """Publish the jobs' training tasks; raises if Redis is down."""
    broker().send_jobs(jobs)
