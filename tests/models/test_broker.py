"""The broker client against the real Redis: which jobs' tasks wait in the queue."""

from models.broker import Broker
from models.settings import Settings
from models.spec import JobConfig


def test_waiting_jobs_are_those_whose_task_sits_in_the_queue(settings: Settings) -> None:
    broker = Broker(settings)
    try:
        assert broker.waiting_jobs() == set()
        broker.send_jobs([(7, JobConfig()), (11, JobConfig())])
        assert broker.waiting_jobs() == {7, 11}
        with broker.celery.connection_for_write() as connection:
            connection.default_channel.client.rpush(settings.queue, b"not a task", b'{"a": 1}')
        assert broker.waiting_jobs() == {7, 11}
    finally:
        broker.close()
