"""Server-Sent Events from the job event log: one event per status change and finished epoch.

Each event carries the log's id, so a client that reconnects with `Last-Event-ID` resumes
exactly after the last event it saw. The stream ends with an `end` event once the job (or
every job of the experiment) has ended.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from api.events.capacity import Streams
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
    streams: Streams = request.app.state.streams
    quiet = 0.0

    def read(position: int) -> tuple[Sequence[JobEvent], bool]:
        # A session per poll, closed before the stream sleeps: no connection is held between.
        with factory() as session:
            return fetch(session, position)

    # On shutdown the stream stops without `end`: the job goes on, so the client reconnects.
    while not streams.stopping.is_set() and not await request.is_disconnected():
        events, ended = await to_thread.run_sync(read, after, limiter=streams.polls)
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


class EventStream(StreamingResponse):
    """A text/event-stream that holds one of the process's stream places while it is sent."""

    def __init__(self, request: Request, owner: str | None, fetch: Fetch, after: int) -> None:
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        super().__init__(
            _events(request, fetch, after), media_type="text/event-stream", headers=headers
        )
        self.streams: Streams = request.app.state.streams
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the stream, or refuse it (429/503) past a bound."""
        with self.streams.slot(self.owner):
            await super().__call__(scope, receive, send)


def event_stream(
    request: Request,
    *,
    owner: str | None,
    subject: Callable[[Session], object],
    fetch: Fetch,
    after: int,
) -> EventStream:
    """A stream that follows the log from event `after` on, once `subject` (the job or the
    experiment, read in a short session of its own) is found to be the caller's.

    A streaming route takes no request session: that one would live, with its pooled
    connection, as long as the response.
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        subject(session)
    return EventStream(request, owner, fetch, after)
