"""FastAPI dependencies: a database session per request that owns its transaction, the broker
client, settings."""

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import contextmanager_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from sqlalchemy.orm import Session, sessionmaker

from api.core.errors import DomainError
from models.broker import Broker
from models.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
_AFTER_COMMIT = "normlab.after_commit"


def once_committed(session: Session, action: Callable[[Session], None]) -> None:
    """Run `action` once the request's transaction has committed, never if it rolls back; what
    the action writes is committed after it."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def finish(session: Session) -> None:
    """Commit the request's transaction, then run its after-commit actions."""
    session.commit()
    for action in session.info.pop(_AFTER_COMMIT, []):
        _run_once_committed(session, action)


def _run_once_committed(session: Session, action: Callable[[Session], None]) -> None:
    # The response already stands on the committed rows: a failure here is logged, and the
    # relay (worker.maintenance) publishes whatever this left unpublished.
    try:
        action(session)
        session.commit()
    except Exception:
        log.exception("after-commit action failed; the relay will catch up")
        session.rollback()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The request's one transaction: finished when the route returns (if TransactionRoute has
    not yet), rolled back when it raises, unless its error keeps what was written."""
    with factory() as session:
        try:
            yield session
        except DomainError as error:
            if error.keeps_changes:
                finish(session)
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finish(session)


def _finishing(endpoint: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> T:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                finish(value)
        return result

    return run


class TransactionRoute(APIRoute):
    """A writing route whose transaction is finished as its endpoint returns, in its thread.

    Finished after FastAPI has validated the response (another trip through the threadpool), a
    transaction would hold its locks while waiting for a thread, and the requests waiting for
    those locks (the quota's, SQLite's one writer) can occupy every thread.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Wrap a synchronous endpoint of a method that writes."""
        writes = bool(set(kwargs.get("methods") or ()) - {"GET"})
        if writes and not inspect.iscoroutinefunction(endpoint):
            endpoint = _finishing(endpoint)
        super().__init__(path, endpoint, **kwargs)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request on the app's engine: a GET's reads, any other method's
    transaction, committed before the response is sent."""
    state = request.app.state
    if request.method == "GET":
        # A GET's session has no transaction (api.main): opening it and closing it do no I/O,
        # so they run here rather than in two more trips through the threadpool.
        with state.read_sessionmaker() as session:
            yield session
        return
    # Commit and rollback are I/O: both ends in the threadpool, as FastAPI runs a sync
    # dependency, whose exit waits for no free thread (a closing session can hold the lock
    # that the routes occupying every thread wait for).
    async with contextmanager_in_threadpool(transaction(state.sessionmaker)) as session:
        yield session


async def get_broker(request: Request) -> Broker:
    """The app's broker client."""
    broker: Broker = request.app.state.broker
    return broker


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


# Scope "function": the session ends (commits) before the response is sent, not after it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BrokerDep = Annotated[Broker, Depends(get_broker)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def digits(value: object) -> object:
    """Only ASCII digits read as a whole number: the lax default also reads `1.0` as 1."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("a whole number in digits")
    return value


# After the Path/Query marker, so the constraints still reach the OpenAPI schema.
DIGITS = BeforeValidator(digits)
# Ids are 32-bit integers in every database; larger ones are refused (422), not looked up.
MAX_ID = 2**31 - 1
ExperimentId = Annotated[int, Path(ge=1, le=MAX_ID), DIGITS]
JobId = Annotated[int, Path(ge=1, le=MAX_ID), DIGITS]
ExperimentFilter = Annotated[int | None, Query(ge=1, le=MAX_ID), DIGITS]
PageLimit = Annotated[int, Query(ge=1, le=500), DIGITS]
