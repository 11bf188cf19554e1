"""The hooks a worker gives the training loop: they record epochs, and a heartbeat thread keeps
the job alive and reads cancel requests on a timer, however long a chunk of batches takes."""

import logging
import threading
import time
from types import TracebackType

from analysis.epochs import EpochResult
from worker import jobs

log = logging.getLogger(__name__)


class RecordingHooks:
    """Training hooks that write each epoch; while entered (`with`), a thread writes the
    heartbeat every poll interval and raises the stop flag the loop checks between chunks."""

    def __init__(self, job: jobs.ClaimedJob, poll_seconds: float) -> None:
        self.job = job
        self.poll_seconds = poll_seconds
        self.progress = (0, 0)
        self.started = False
        self._epoch_ended = False
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._beat_until_done, name=f"heartbeat-{job.id}", daemon=True
        )

    def __enter__(self) -> "RecordingHooks":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def on_epoch(self, result: EpochResult) -> None:
        """Record the epoch as soon as it ends, so polling clients see progress."""
        jobs.record_epoch(self.job, result)
        self._epoch_ended = True

    def on_progress(self, batches_done: int, batches_total: int) -> None:
        """Keep the progress within the epoch; the next heartbeat writes it."""
        self.progress = (batches_done, batches_total)

    def should_stop(self) -> bool:
        """Whether a heartbeat found a cancel request or the claim lost; once seen, it stays."""
        if not self.started:  # the loop asks right before the first training batch
            self.started = True
            seconds = time.monotonic() - self.job.claimed_at
            log.info(
                "job %s: first batch %.3f s after its claim",
                self.job.id,
                seconds,
                extra={"start_seconds": round(seconds, 4)},
            )
        if self._epoch_ended:  # ask before the next epoch starts, whatever the interval
            self._epoch_ended = False
            self._beat()
        return self._stop.is_set()

    def _beat_until_done(self) -> None:
        while not self._done.wait(self.poll_seconds) and not self._stop.is_set():
            self._beat()

    def _beat(self) -> None:
        try:
            if jobs.heartbeat(self.job, *self.progress):
                self._stop.set()
        except Exception:  # the database away past the retries: the loop's next write fails
            log.exception("job %s: heartbeat not written", self.job.id)
