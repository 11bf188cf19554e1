"""Server-Sent Events from the job event log: one event per status change and finished epoch.

Each event carries the log's id, so a client that reconnects with `Last-Event-ID` resumes
exactly after the last event it saw. The stream ends with an `end` event once the job (or
every job of the experiment) has ended.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from models.event import JobEvent

EVENT_STREAM: dict[int | str, dict[str, object]] = {
    200: {
        "description": "a text/event-stream",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}
POLL_SECONDS = 0.5
KEEP_ALIVE_SECONDS = 15.0
Fetch = Callable[[Session, int], tuple[Sequence[JobEvent], bool]]


def last_event_id(request: Request) -> int:
    """Where to resume: the `Last-Event-ID` header, else the `last_event_id` parameter, else 0."""
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id") or "0"
    return int(raw) if raw.isdigit() else 0


def format_event(event: JobEvent) -> str:
    """One event in the text/event-stream format."""
    data = {
        "job_id": event.job_id,
        "experiment_id": event.experiment_id,
        **event.data,
        "at": event.created_at.isoformat(),
    }
    return f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(data)}\n\n"


async def _events(request: Request, fetch: Fetch, after: int) -> AsyncIterator[str]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    quiet = 0.0

    def read(position: int) -> tuple[Sequence[JobEvent], bool]:
        with factory() as session:
            return fetch(session, position)

    while not await request.is_disconnected():
        events, ended = await run_in_threadpool(read, after)
        for event in events:
            yield format_event(event)
            after = event.id
        if ended and not events:
            yield "event: end\ndata: {}\n\n"
            return
        if not events:
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            if quiet >= KEEP_ALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet = 0.0


def event_stream(request: Request, fetch: Fetch) -> StreamingResponse:
    """A text/event-stream response that follows the log from where the client left off."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(request, fetch, last_event_id(request)),
        media_type="text/event-stream",
        headers=headers,
    )
