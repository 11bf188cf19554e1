"""FastAPI dependencies: a database session per request, the broker client, settings."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.broker import Broker
from models.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed when the response is done."""
    with request.app.state.sessionmaker() as session:
        yield session


def get_broker(request: Request) -> Broker:
    """The app's broker client."""
    broker: Broker = request.app.state.broker
    return broker


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
BrokerDep = Annotated[Broker, Depends(get_broker)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
