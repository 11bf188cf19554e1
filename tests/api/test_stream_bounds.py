"""Open event streams cannot starve the API: real HTTP against a real uvicorn, on SQLite and
PostgreSQL. No worker runs, so the jobs stay queued and their streams stay open until closed."""

import asyncio
import hashlib
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import redis

from harness.databases import TEST_REDIS_URL
from harness.processes import wait_for
from harness.service import Service, running_api

STREAMS = 200
# About blocking, not speed: before streams held no session, these routes hung for 40 s and more.
ANSWER_SECONDS = 10.0
STOP_SECONDS = 15.0
# A bound so that a server that cannot open the streams fails the test instead of hanging it.
OPEN_SECONDS = 120.0


async def _hold(http: httpx.AsyncClient, path: str, opened: asyncio.Queue[int]) -> None:
    """Open a stream, report its status once its first event arrived, then read it to its end."""
    async with http.stream("GET", path) as response:
        if response.status_code != 200:
            await opened.put(response.status_code)
            return
        lines = response.aiter_lines()
        async for line in lines:
            if line.startswith("event:"):
                break
        await opened.put(200)
        async for _ in lines:
            pass


async def _answers(base_url: str) -> dict[str, int]:
    """The status of each ordinary route, each asked with a bound on how long it may take."""
    async with httpx.AsyncClient(base_url=base_url, timeout=ANSWER_SECONDS) as http:
        return {
            "GET /experiments": (await http.get("/experiments")).status_code,
            "POST /experiments": (await http.post("/experiments", json={})).status_code,
            "GET /health": (await http.get("/health")).status_code,
        }


async def _crowd(service: Service, job_id: int) -> dict[str, Any]:
    base_url = str(service.http.base_url)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=None, limits=limits) as http:
        opened: asyncio.Queue[int] = asyncio.Queue()
        holders = [
            asyncio.create_task(_hold(http, f"/jobs/{job_id}/events", opened))
            for _ in range(STREAMS)
        ]
        statuses = await asyncio.wait_for(_collect(opened, STREAMS), OPEN_SECONDS)
        answers = await _answers(base_url)
        over = await http.get(f"/jobs/{job_id}/events")
        api = service.processes["api"]
        api.send_signal(signal.SIGTERM)
        stopped = await asyncio.to_thread(_exit_code, api)
        ends = await asyncio.wait_for(asyncio.gather(*holders, return_exceptions=True), 30)
    return {
        "statuses": statuses,
        "answers": answers,
        "over": over,
        "stopped": stopped,
        "ends": ends,
    }


async def _collect(opened: asyncio.Queue[int], count: int) -> list[int]:
    return [await opened.get() for _ in range(count)]


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        return None


def test_two_hundred_open_streams_leave_the_api_answering_and_sigterm_ends_them(
    database_url: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    extra = {"NORMLAB_MAX_EVENT_STREAMS": str(STREAMS)}
    with running_api(database_url, TEST_REDIS_URL, tmp_path, **extra) as service:
        job_id = service.post("/experiments", {}).json()["jobs"][0]["id"]
        outcome = asyncio.run(_crowd(service, job_id))
    assert outcome["statuses"] == [200] * STREAMS
    assert outcome["answers"] == {
        "GET /experiments": 200,
        "POST /experiments": 202,
        "GET /health": 200,
    }
    assert outcome["over"].status_code == 503
    assert int(outcome["over"].headers["retry-after"]) >= 1
    assert f"{STREAMS} event streams open" in outcome["over"].json()["detail"]
    assert outcome["stopped"] is not None, "the API did not stop on SIGTERM with streams open"
    # The server ended every stream cleanly rather than the client seeing a broken connection.
    assert [end for end in outcome["ends"] if end is not None] == []


ALICE, BOB = "alice-stream-token-0123", "bob-stream-token-4567"
# Key names of this module's own: the database is shared with other tests that count by key.
ALICE_NAME, BOB_NAME = f"alice-{uuid.uuid4().hex[:8]}", f"bob-{uuid.uuid4().hex[:8]}"


def _keys() -> str:
    return ",".join(
        f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"
        for name, token in ((ALICE_NAME, ALICE), (BOB_NAME, BOB))
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _per_key(base_url: str, paths: dict[str, str]) -> dict[str, Any]:
    """Alice holds two streams, then asks for a third; Bob asks for one of his own meanwhile."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=None, limits=limits) as http:

        async def open_stream(token: str) -> httpx.Response:
            request = http.build_request("GET", paths[token], headers=_bearer(token))
            return await http.send(request, stream=True)

        held = [await open_stream(ALICE) for _ in range(2)]
        third, bobs = await open_stream(ALICE), await open_stream(BOB)
        for response in (*held, bobs):
            await response.aclose()
        await third.aread()
    return {"held": [r.status_code for r in held], "third": third, "bob": bobs.status_code}


def _stream_path(service: Service, token: str, kind: str) -> str:
    created = service.http.post("/experiments", json={}, headers=_bearer(token)).json()
    return f"/{kind}s/{created['jobs'][0]['id'] if kind == 'job' else created['id']}/events"


@pytest.mark.parametrize("kind", ["job", "experiment"])
def test_a_keys_streams_past_its_bound_are_429_and_free_again_once_closed(
    database_url: str, redis_client: redis.Redis, tmp_path: Path, kind: str
) -> None:
    extra = {"NORMLAB_API_KEYS": _keys(), "NORMLAB_MAX_EVENT_STREAMS_PER_KEY": "2"}
    with running_api(database_url, TEST_REDIS_URL, tmp_path, **extra) as service:
        paths = {token: _stream_path(service, token, kind) for token in (ALICE, BOB)}
        outcome = asyncio.run(_per_key(str(service.http.base_url), paths))
        assert outcome["held"] == [200, 200]
        assert outcome["third"].status_code == 429
        assert int(outcome["third"].headers["retry-after"]) >= 1
        assert f"{ALICE_NAME!r} has 2 event streams open" in outcome["third"].json()["detail"]
        assert outcome["bob"] == 200  # another key's bound is its own

        def reopened() -> bool | None:
            with service.http.stream("GET", paths[ALICE], headers=_bearer(ALICE)) as response:
                return True if response.status_code == 200 else None

        wait_for(reopened, 30, "alice's closed streams to free their places")
