"""The per-key active-jobs quota holds when many clients submit at once: real HTTP against a
real uvicorn, on SQLite and PostgreSQL. No worker runs, so no job ends during the race and the
outcome is exact whatever the machine's speed."""

import hashlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.databases import TEST_REDIS_URL
from harness.service import running_api
from models.experiment import Experiment
from models.job import Job, JobStatus

CLIENTS = 50
LIMIT = 10
JOBS_PER_POST = 5


def _active_jobs(session: Session, owner: str) -> int:
    query = (
        select(func.count())
        .select_from(Job)
        .join(Experiment)
        .where(Experiment.owner == owner, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    )
    return session.scalar(query) or 0


def _race(base_url: str, token: str) -> list[httpx.Response]:
    """Every client posts once, all released together by a barrier."""
    start = threading.Barrier(CLIENTS)
    body = {"seeds": list(range(JOBS_PER_POST))}

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=120) as http:
            start.wait()
            return http.post(
                "/experiments", json=body, headers={"Authorization": f"Bearer {token}"}
            )

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(post, range(CLIENTS)))


def test_fifty_racing_submissions_never_pass_the_keys_quota(
    database_url: str, session: Session, redis_client: redis.Redis, tmp_path: Path
) -> None:
    owner, token = f"racer-{uuid.uuid4().hex[:8]}", f"racer-token-{uuid.uuid4().hex}"
    keys = f"{owner}:{hashlib.sha256(token.encode()).hexdigest()}"
    extra = {
        "NORMLAB_API_KEYS": keys,
        "NORMLAB_MAX_ACTIVE_JOBS_PER_KEY": str(LIMIT),
        "NORMLAB_REQUESTS_PER_MINUTE": "1000",
    }
    with running_api(database_url, TEST_REDIS_URL, tmp_path, **extra) as service:
        responses = _race(str(service.http.base_url), token)
    accepted = [r for r in responses if r.status_code == 202]
    refused = [r for r in responses if r.status_code != 202]
    assert len(accepted) == LIMIT // JOBS_PER_POST
    assert _active_jobs(session, owner) == LIMIT
    assert {r.status_code for r in refused} == {429}
    assert all(f"limit of {LIMIT}" in r.json()["detail"] for r in refused)
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
