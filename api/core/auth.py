"""Bearer API keys, when configured: who is asking, and whether they or their address are over
a limit."""

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from typing import Annotated

import redis
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.core.errors import DomainError, TooManyRequests, Unauthorized, problem
from api.core.windows import SlidingWindow
from models.settings import Settings

log = logging.getLogger(__name__)


def authenticate(authorization: str | None, hashes: dict[str, str]) -> str:
    """The key name whose token's hash matches, compared in constant time; else Unauthorized."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("an API key is required: Authorization: Bearer <token>")
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    owner = None
    for name, expected in hashes.items():  # every key is compared, match or not
        if hmac.compare_digest(digest, expected):
            owner = name
    if owner is None:
        raise Unauthorized("unknown API key")
    return owner


class Gatekeeper:
    """Per key, at most `requests_per_minute` in any minute; per client address, at most
    `auth_failures_per_minute` failed authentications, after which it gets 429 instead of 401.
    A valid key is still served from such an address: a shared NAT must not lock its users out.
    Counted in Redis (api.core.windows), on the clock `clock` (a test sets it)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.client = redis.Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=settings.broker_timeout,
            socket_timeout=settings.broker_timeout,
        )
        prefix = f"normlab:rate:{settings.queue}:"  # one deployment's counts, not another's
        self.requests = SlidingWindow(self.client, prefix + "key:", settings.requests_per_minute)
        self.failures = SlidingWindow(
            self.client, prefix + "failed:", settings.auth_failures_per_minute
        )
        self.hashes = settings.api_key_hashes
        self.clock = clock

    def admit(self, authorization: str | None, address: str) -> str:
        """The caller's key name; Unauthorized, or TooManyRequests when over a limit."""
        try:
            owner = authenticate(authorization, self.hashes)
        except Unauthorized:
            wait = self._count(self.failures, address)
            if wait is not None:
                raise TooManyRequests(
                    f"more than {self.failures.limit} failed authentications a minute from "
                    "this address",
                    retry_after=math.ceil(wait),
                ) from None
            raise
        wait = self._count(self.requests, owner)
        if wait is not None:
            raise TooManyRequests(
                f"more than {self.requests.limit} requests a minute", retry_after=math.ceil(wait)
            )
        return owner

    def _count(self, window: SlidingWindow, name: str) -> float | None:
        try:
            return window.hit(name, self.clock())
        except redis.RedisError:
            log.warning("rate limit not counted: Redis unavailable")
            return None  # better to serve without counting than to refuse everyone

    def close(self) -> None:
        """Release the connection pool."""
        self.client.close()


async def get_owner(request: Request) -> str | None:
    """The caller's key name; None when the API runs without keys."""
    settings: Settings = request.app.state.settings  # not a sub-dependency: one less to solve
    if not settings.api_key_hashes:
        return None
    gatekeeper: Gatekeeper = request.app.state.gatekeeper
    address = request.client.host if request.client else "unknown"
    authorization = request.headers.get("authorization")
    # Redis I/O: off the event loop.
    owner: str = await run_in_threadpool(gatekeeper.admit, authorization, address)
    return owner


OwnerDep = Annotated[str | None, Depends(get_owner)]


class KeyedDocs:
    """ASGI middleware: with API keys configured, the framework's own pages (the docs and the
    OpenAPI schema) need a key like every route."""

    def __init__(self, app: ASGIApp, paths: set[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401/429 for a docs path without a valid key; pass everything else on."""
        if scope["type"] == "http" and scope["path"] in self.paths:
            try:
                await get_owner(Request(scope))
            except DomainError as error:
                refusal = problem(error.status, error.title, error.detail, error.headers)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)
