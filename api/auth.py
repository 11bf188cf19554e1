"""Bearer API keys, when configured: who is asking, and whether they are over their rate."""

import hashlib
import hmac
import logging
import time
from typing import Annotated

import redis
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.errors import TooManyRequests, Unauthorized
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


class RateLimiter:
    """A fixed one-minute window per key, counted in Redis so every API process shares it."""

    def __init__(self, redis_url: str, per_minute: int, timeout: float) -> None:
        self.client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self.per_minute = per_minute

    def check(self, owner: str) -> None:
        """Count one request; TooManyRequests with the seconds to wait when over the limit."""
        now = time.time()
        window = int(now // 60)
        try:
            count = self.client.incr(f"normlab:rate:{owner}:{window}")
            self.client.expire(f"normlab:rate:{owner}:{window}", 120)
        except redis.RedisError:
            log.warning("rate limit not counted: Redis unavailable")
            return  # better to serve without counting than to refuse everyone
        if int(count) > self.per_minute:
            raise TooManyRequests(
                f"more than {self.per_minute} requests a minute", retry_after=60 - int(now % 60)
            )

    def close(self) -> None:
        """Release the connection pool."""
        self.client.close()


async def get_owner(request: Request) -> str | None:
    """The caller's key name; None when the API runs without keys."""
    settings: Settings = request.app.state.settings  # not a sub-dependency: one less to solve
    hashes = settings.api_key_hashes
    if not hashes:
        return None
    owner = authenticate(request.headers.get("authorization"), hashes)
    limiter: RateLimiter = request.app.state.limiter
    await run_in_threadpool(limiter.check, owner)  # Redis I/O: off the event loop
    return owner


OwnerDep = Annotated[str | None, Depends(get_owner)]
