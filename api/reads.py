"""Reads of one statement for the most polled route: without a thread where the driver allows."""

from collections.abc import Callable
from typing import Protocol, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_async_read_engine, make_read_engine, make_sessionmaker, read_retried

T = TypeVar("T")
Read = Callable[[Session], T]


class Reader(Protocol):
    """Runs a read (a function of a session) through models.db.read_retried."""

    async def __call__(self, read: Read[T]) -> T:
        """The read's result."""
        ...

    async def dispose(self) -> None:
        """Close the pooled connections."""
        ...


class ThreadReader:
    """SQLite: the read runs in one of the API's request threads, as sync routes do."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = make_sessionmaker(engine)

    async def __call__(self, read: Read[T]) -> T:
        """The read's result, from a thread."""
        return await run_in_threadpool(self._run, read)

    def _run(self, read: Read[T]) -> T:
        with self.sessionmaker() as session:
            return read_retried(session, read)

    async def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


class AsyncReader:
    """PostgreSQL: the read runs on the event loop through the asyncio driver; the same sync
    code (a greenlet carries its I/O), so one service function serves both readers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    async def __call__(self, read: Read[T]) -> T:
        """The read's result, without a thread."""
        session: AsyncSession
        async with self.sessionmaker() as session:
            return await session.run_sync(read_retried, read)

    async def dispose(self) -> None:
        """Close the pooled connections."""
        await self.engine.dispose()


def make_reader(engine: Engine) -> Reader:
    """The reader for this database: in a thread on SQLite, whose asyncio driver hops threads
    for every call (0.8x the requests/s measured), and on the event loop elsewhere."""
    if engine.dialect.name == "sqlite":
        return ThreadReader(make_read_engine(engine))
    return AsyncReader(make_async_read_engine(engine))
