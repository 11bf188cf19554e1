"""FastAPI dependencies: a database session per request, the broker client, settings."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import contextmanager_in_threadpool
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from models.broker import Broker
from models.settings import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request on the app's engine, closed when the route is done."""
    state = request.app.state
    if request.method == "GET":
        # A GET's session has no transaction (api.main): opening it and closing it do no I/O,
        # so they run here rather than in two more trips through the threadpool.
        with state.read_sessionmaker() as session:
            yield session
    else:
        # Closing may roll back (I/O): both ends in the threadpool, as FastAPI runs a sync
        # dependency, whose exit waits for no free thread (a closing session can hold the lock
        # that the routes occupying every thread wait for).
        async with contextmanager_in_threadpool(state.sessionmaker()) as session:
            yield session


async def get_broker(request: Request) -> Broker:
    """The app's broker client."""
    broker: Broker = request.app.state.broker
    return broker


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
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
