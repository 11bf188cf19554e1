"""Sliding-window counts in Redis: at most `limit` events in any `seconds`, shared by every API
process. A fixed window lets twice the limit through across its edge; this one cannot."""

import secrets
from dataclasses import dataclass
from typing import Any

import redis

# One sorted set of event times per name, trimmed to the window, checked and added to
# atomically. Redis turns Lua numbers into integers: the wait goes back as a string.
_SLIDE = """
local key, now, seconds, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - seconds)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + seconds - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(seconds) + 1)
return false
"""


@dataclass
class SlidingWindow:
    """Counts events per name; `hit` says how long to wait when the window is full."""

    client: redis.Redis
    prefix: str
    limit: int
    seconds: float = 60.0

    def __post_init__(self) -> None:
        self._slide: Any = self.client.register_script(_SLIDE)

    def hit(self, name: str, now: float) -> float | None:
        """Count one event at `now`; None if it fits, else the seconds until one would
        (a refused event is not counted). Raises redis.RedisError when Redis does not answer."""
        member = f"{now!r}:{secrets.token_hex(8)}"  # events of one instant stay distinct
        wait = self._slide(keys=[self.prefix + name], args=[now, self.seconds, self.limit, member])
        return None if wait is None else float(wait)
