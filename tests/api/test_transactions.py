"""One owner per transaction, over HTTP: a request that fails leaves no rows and publishes
nothing; a POST publishes its tasks only once its rows are committed."""

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.signals import before_task_publish
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from models.experiment import Experiment
from models.job import Job

REFUSE_KEYS = {
    "sqlite": [
        "CREATE TRIGGER refuse_keys BEFORE INSERT ON idempotency_keys "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_keys() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
        "CREATE TRIGGER refuse_keys BEFORE INSERT ON idempotency_keys "
        "FOR EACH ROW EXECUTE FUNCTION refuse_keys()",
    ],
}
ALLOW_KEYS = {
    "sqlite": ["DROP TRIGGER refuse_keys"],
    "postgresql": ["DROP TRIGGER refuse_keys ON idempotency_keys", "DROP FUNCTION refuse_keys()"],
}


@pytest.fixture
def keys_refused(engine: Engine) -> Iterator[None]:
    """The database refuses every Idempotency-Key row: the last insert of a keyed POST fails,
    after the experiment, its jobs and their events were written in the same transaction."""
    kind = engine.dialect.name
    with engine.begin() as connection:
        for statement in REFUSE_KEYS[kind]:
            connection.execute(text(statement))
    yield
    with engine.begin() as connection:
        for statement in ALLOW_KEYS[kind]:
            connection.execute(text(statement))


@pytest.fixture
def published() -> Iterator[list[int]]:
    """The job id of every training task published while the test runs."""
    ids: list[int] = []

    def record(body: Any = None, **_: Any) -> None:
        ids.append(int(body[0][0]))

    before_task_publish.connect(record, weak=False)
    yield ids
    before_task_publish.disconnect(record)


def named(session: Session, name: str) -> int:
    """Experiments stored under a name, as another connection sees them."""
    session.expire_all()
    return session.scalar(select(func.count()).where(Experiment.name == name)) or 0


@pytest.mark.usefixtures("keys_refused")
def test_a_request_failing_after_its_writes_leaves_no_rows_and_publishes_nothing(
    client: TestClient,
    session: Session,
    published: list[int],
    redis_client: redis.Redis,
    queue: str,
) -> None:
    body = {"name": "half-written", "seeds": [0, 1, 2]}
    response = client.post("/experiments", json=body, headers={"Idempotency-Key": "k-fails"})
    assert response.status_code >= 500
    assert named(session, "half-written") == 0
    assert published == []
    assert redis_client.llen(queue) == 0


def test_a_post_publishes_each_task_only_after_its_job_was_committed(
    client: TestClient, engine: Engine, redis_client: redis.Redis, queue: str
) -> None:
    committed_when_published: list[bool] = []

    def check(body: Any = None, **_: Any) -> None:
        # Another connection sees only committed rows.
        with engine.connect() as connection:
            found = connection.scalar(select(func.count()).where(Job.id == int(body[0][0])))
        committed_when_published.append(found == 1)

    before_task_publish.connect(check, weak=False)
    try:
        response = client.post("/experiments", json={"name": "committed first", "seeds": [0, 1]})
    finally:
        before_task_publish.disconnect(check)
    assert response.status_code == 202
    assert committed_when_published == [True, True]
    assert redis_client.llen(queue) == 2
