"""The hooks a worker gives the training loop: they record epochs and send heartbeats."""

import logging
import math
import time

from worker import jobs
from worker.conditions import diagnose
from worker.training.results import EpochResult

log = logging.getLogger(__name__)


class RecordingHooks:
    """Training hooks that write each epoch, send heartbeats and poll for cancellation."""

    def __init__(self, job: jobs.ClaimedJob, poll_seconds: float) -> None:
        self.job = job
        self.poll_seconds = poll_seconds
        self.epochs: list[EpochResult] = []
        self._polled_at = time.monotonic()
        self._stop = False
        self.progress = (0, 0)
        self.started = False

    def on_epoch(self, result: EpochResult) -> None:
        """Record the epoch as soon as it ends, so polling clients see progress."""
        conditions = diagnose(self.job.config, [*self.epochs, result])
        jobs.record_epoch(self.job, result, conditions)
        self.epochs.append(result)
        self._polled_at = -math.inf  # ask before the next epoch starts, whatever the interval

    def on_progress(self, batches_done: int, batches_total: int) -> None:
        """Keep the progress within the epoch; the next heartbeat writes it."""
        self.progress = (batches_done, batches_total)

    def should_stop(self) -> bool:
        """Heartbeat and read cancel requests once per poll interval; a stop, once seen, stays."""
        now = time.monotonic()
        if not self.started:  # the loop asks right before the first training batch
            self.started = True
            seconds = now - self.job.claimed_at
            log.info(
                "job %s: first batch %.3f s after its claim",
                self.job.id,
                seconds,
                extra={"start_seconds": round(seconds, 4)},
            )
        self._heartbeat_if_due(now)
        return self._stop

    def _heartbeat_if_due(self, now: float) -> None:
        if not self._stop and now - self._polled_at >= self.poll_seconds:
            self._polled_at = now
            self._stop = jobs.heartbeat(self.job, *self.progress)
