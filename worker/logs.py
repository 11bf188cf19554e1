"""Structured logs for the worker: one JSON object per line, with the job it concerns."""

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_job: ContextVar[int | None] = ContextVar("current_job", default=None)
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Time, level, logger, message, the job id (null outside a job) and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "process": record.processName,
            "job_id": current_job.get(),
            "message": record.getMessage(),
        }
        entry |= {
            k: v for k, v in vars(record).items() if k not in STANDARD and not k.startswith("_")
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence what native code writes to file descriptor 2 (TensorFlow's start-up notices,
    printed before its own logging is set up and deaf to TF_CPP_MIN_LOG_LEVEL), so the log
    stays one JSON object per line."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def configure(level: int = logging.INFO) -> None:
    """Send every logger of the process to stderr as JSON lines."""
    formatter = JsonFormatter()
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings become log records, so JSON lines too
