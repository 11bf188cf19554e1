"""The Celery application of the worker: Redis broker, late acks, one task at a time."""

import logging
import warnings
from typing import Any

from celery import Celery
from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
)
from sqlalchemy.exc import OperationalError

from models.broker import celery_config
from models.db import get_engine
from models.settings import get_settings
from models.tasks import ADVANCE_EXPERIMENTS, REAP_STALE_JOBS, RELAY_UNPUBLISHED, TRAIN_JOB
from worker import logs, maintenance

log = logging.getLogger(__name__)
settings = get_settings()
# Celery warns in plain text, before logging is set up, when it runs as root: the norm on this
# machine (make run) and in many containers, and nothing about jobs. Every line stays JSON.
warnings.filterwarnings("ignore", message="You're running the worker with superuser privileges")

app = Celery("normlab", include=["worker.tasks"])
app.conf.update(
    celery_config(settings),
    # At-least-once delivery: a task is acknowledged after it ran, and re-delivered if the
    # process running it died; the job's claim in the database makes a second run a no-op.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    # A child imports TensorFlow and loads the data before it says it is up
    # (worker_process_init): far longer than Celery's 4 s default allows.
    worker_proc_alive_timeout=180,
    worker_concurrency=settings.worker_concurrency,
    worker_max_tasks_per_child=settings.max_tasks_per_child,
    worker_max_memory_per_child=settings.max_memory_per_child_mb * 1024,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
    beat_schedule={
        "reap-stale-jobs": {"task": REAP_STALE_JOBS, "schedule": settings.maintenance_seconds},
        "relay-unpublished": {"task": RELAY_UNPUBLISHED, "schedule": settings.maintenance_seconds},
        "advance-experiments": {
            "task": ADVANCE_EXPERIMENTS,
            "schedule": settings.maintenance_seconds,
        },
    },
)


@worker_init.connect  # type: ignore[untyped-decorator]
def _release_orphans(**_: Any) -> None:
    # In the main process, before its pool starts: the jobs this host's processes ran when they
    # died with their worker (killed, a container restarted) are released now, so they run by
    # the time this worker is ready instead of after the staleness limit.
    try:
        maintenance.release_orphans(max_attempts=settings.max_attempts)
    except OperationalError:
        log.warning("database unreachable at start-up; orphaned jobs are left to the reaper")


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _prepare_child_process(**_: Any) -> None:
    # Connections inherited across the fork must not be shared with the parent; TensorFlow is
    # imported here, in the child that trains, never before the fork.
    get_engine().dispose(close=False)
    if not _takes_training_jobs():
        return
    try:
        with logs.quiet_native_stderr():
            from worker.runner import warm_up

            warm_up()
    except Exception:
        log.exception("warm-up failed; jobs will report the reason when they run")


@setup_logging.connect  # type: ignore[untyped-decorator]
def _json_logs(**_: Any) -> None:
    # Connecting here replaces Celery's own logging set-up: every line is JSON (worker.logs).
    logs.configure()


@task_prerun.connect  # type: ignore[untyped-decorator]
def _enter_job(task: Any = None, args: Any = None, **_: Any) -> None:
    if task is not None and task.name == TRAIN_JOB and args:
        logs.current_job.set(int(args[0]))


@task_postrun.connect  # type: ignore[untyped-decorator]
def _leave_job(**_: Any) -> None:
    logs.current_job.set(None)


def _takes_training_jobs() -> bool:
    # The maintenance worker's solo pool sends worker_process_init too; it consumes only the
    # maintenance queue, so TensorFlow and the data would cost it start-up time and memory for
    # nothing. The queues are selected (--queues) before any pool starts.
    return settings.queue in app.amqp.queues.consume_from
