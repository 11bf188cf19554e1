"""What bounds the open event streams of one API process: how many, per key and in all; the
threads their polls may take; and the server stopping, which ends them."""

import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from anyio import CapacityLimiter

from api.core.errors import TooManyRequests, Unavailable

# A refused stream is worth retrying once another has ended; streams end when their job does.
RETRY_SECONDS = 10
# Polls take threads of their own, fewer than the request threads: a crowd of streams then
# slows its own polls, never the other routes.
POLL_THREADS = 4
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Streams:
    """The open streams of this process, counted on its event loop (so without a lock)."""

    def __init__(self, total: int, per_key: int) -> None:
        self.total = total
        self.per_key = per_key
        self.open = 0
        self.by_key: Counter[str] = Counter()
        self.polls = CapacityLimiter(POLL_THREADS)
        # Set from a signal handler, read by every poll: a flag, not an asyncio.Event.
        self.stopping = threading.Event()

    @contextmanager
    def slot(self, owner: str | None) -> Iterator[None]:
        """Hold one stream's place while the block runs: 429 past the key's bound, 503 past
        the process's."""
        if owner is not None and self.by_key[owner] >= self.per_key:
            raise TooManyRequests(
                f"key {owner!r} has {self.per_key} event streams open, its limit",
                retry_after=RETRY_SECONDS,
            )
        if self.open >= self.total:
            raise Unavailable(
                f"this server has {self.total} event streams open, its limit",
                retry_after=RETRY_SECONDS,
            )
        self.open += 1
        if owner is not None:
            self.by_key[owner] += 1
        try:
            yield
        finally:
            self.open -= 1
            if owner is not None:
                self.by_key[owner] -= 1
                if not self.by_key[owner]:
                    del self.by_key[owner]


@contextmanager
def stop_signals(stopping: threading.Event) -> Iterator[None]:
    """Set `stopping` on SIGTERM or SIGINT, then pass the signal to the server's own handler.

    Uvicorn waits for every open response to end before it runs the lifespan's shutdown, so an
    event stream cannot learn of the shutdown there: it would hold the process up for ever.
    Only a handler the server installed is chained (signal handlers live in the main thread).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def handle(sig: int, frame: FrameType | None) -> Any:
        stopping.set()
        server_handler = previous[signal.Signals(sig)]
        return server_handler(sig, frame) if callable(server_handler) else None

    chained = [sig for sig, handler in previous.items() if callable(handler)]
    for sig in chained:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        stopping.set()
        for sig in chained:
            if signal.getsignal(sig) is handle:
                signal.signal(sig, previous[sig])
