"""Server-Sent Events from the job event log: one event per status change and finished epoch.

Each event carries the log's id, so a client that reconnects with `Last-Event-ID` resumes
exactly after the last event it saw. The stream ends with an `end` event once the job (or
every job of the experiment) has ended.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated

from fastapi import Depends, Header, Query, Request
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


# ASCII digits only (`str.isdigit` also takes "²"), and few enough to stay below 2**63, the
# BIGINT ids' cap; an empty header is the start, as before any event.
EVENT_ID = r"^[0-9]{1,18}$"


def resume_after(
    header: Annotated[str | None, Header(alias="Last-Event-ID", pattern=r"^[0-9]{0,18}$")] = None,
    parameter: Annotated[
        str | None,
        Query(alias="last_event_id", pattern=EVENT_ID, description="resume after this event id"),
    ] = None,
) -> int:
    """Where to resume: the `Last-Event-ID` header, else `last_event_id`, else the start."""
    return int(header or parameter or 0)


ResumeAfter = Annotated[int, Depends(resume_after)]


def format_event(event: JobEvent) -> str:
    """One event in the text/event-stream format."""
    data = {
        "job_id": event.job_id,
        "experiment_id": event.experiment_id,
        **event.data,
        **({} if event.attempt is None else {"attempt": event.attempt}),
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


def event_stream(request: Request, fetch: Fetch, after: int) -> StreamingResponse:
    """A text/event-stream response that follows the log from event `after` on."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(request, fetch, after),
        media_type="text/event-stream",
        headers=headers,
    )
