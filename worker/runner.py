"""One job from claim to end: load data, train with hooks that record, then end the job."""

import logging
from functools import cache, lru_cache

from sqlalchemy.exc import SQLAlchemyError

from models.job import JobStatus
from models.lifecycle import Outcome
from models.settings import get_settings
from models.spec import JobConfig, PreprocessingSpec
from worker import jobs
from worker.data import FashionMnist, load_fashion_mnist
from worker.hooks import RecordingHooks
from worker.preprocessing import preprocess
from worker.training import runtime
from worker.training.loop import TrainingData, release_model_state, train
from worker.training.results import Ending, TrainingOutcome

log = logging.getLogger(__name__)
MAX_ERROR_LENGTH = 500
TIME_LIMIT = "time limit"
# What a job's error says when the database failed it: the driver's own text names hosts,
# ports and databases, and clients read this column; the detail goes to the worker's log.
DATABASE_ERROR = "database unavailable"


DATA_CACHE_SIZE = 3


@cache
def dataset() -> FashionMnist:
    """The dataset, read from disk once per worker process and kept for every later job."""
    return load_fashion_mnist(get_settings().dataset_dir)


def warm_up() -> None:
    """Before the first job: configure TensorFlow and load the data, which every job needs."""
    runtime.configure(get_settings().tf_threads)
    dataset()


def training_data(config: JobConfig) -> TrainingData:
    """The job's subsets of the dataset, preprocessed as its config says; cached per process."""
    preprocessing = config.preprocessing.resolved().model_dump_json()
    return _prepared(preprocessing, config.dataset.train_size, config.dataset.test_size)


@lru_cache(maxsize=DATA_CACHE_SIZE)
def _prepared(preprocessing: str, train_size: int, test_size: int) -> TrainingData:
    full = dataset()
    x_train, x_test = preprocess(
        PreprocessingSpec.model_validate_json(preprocessing),
        full.x_train[:train_size],
        full.x_test[:test_size],
    )
    return TrainingData(x_train, full.y_train[:train_size], x_test, full.y_test[:test_size])


def describe(error: BaseException) -> str:
    """A one-line reason for a failed job: the error's type and message, never a traceback;
    for a database error, a stable text (the caller logs the detail)."""
    if isinstance(error, SQLAlchemyError):
        return DATABASE_ERROR
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]


def end_job(job: jobs.ClaimedJob, outcome: TrainingOutcome) -> str:
    """Write the job's terminal status from how training ended; its figures, curve summary and
    conditions come from its stored epochs. A run a stopping rule stopped reports a cancel,
    and models.lifecycle.end makes it succeeded unless a client asked to cancel it too."""
    error = None
    if outcome.ending is Ending.DIVERGED:
        status, error = JobStatus.FAILED, f"diverged at epoch {outcome.epoch}"
    elif outcome.ending is Ending.CANCELLED or jobs.cancel_requested(job):
        status = JobStatus.CANCELLED
    else:
        status = JobStatus.SUCCEEDED
    return jobs.finish(job, status, error=error) or status


def _train(job: jobs.ClaimedJob, hooks: RecordingHooks) -> TrainingOutcome:
    settings = get_settings()
    runtime.configure(settings.tf_threads)
    data = training_data(job.config)
    return train(job.config, job.seed, data, hooks, xla=settings.xla)


def run_job(job_id: int, time_limit_errors: tuple[type[BaseException], ...] = ()) -> str:
    """Claim and run one job; returns how it ended, or Outcome.REFUSED if it was not queued.

    An error of `time_limit_errors` (the task queue's soft limit) ends the job failed with
    "time limit"; the process goes on serving.
    """
    job = jobs.claim(job_id)
    if job is None:
        log.info("job %s: not queued any more, nothing to do", job_id)
        return Outcome.REFUSED
    return run_claimed(job, time_limit_errors)


def run_claimed(
    job: jobs.ClaimedJob, time_limit_errors: tuple[type[BaseException], ...] = ()
) -> str:
    """Train a job this process has claimed, and end it."""
    log.info("job %s: attempt %s started", job.id, job.attempt)
    hooks = RecordingHooks(job, get_settings().cancel_poll_seconds)
    try:
        with hooks:
            outcome = _train(job, hooks)
    except jobs.JobLost:
        log.warning("job %s: attempt %s lost its claim; stopped", job.id, job.attempt)
        return Outcome.REFUSED
    except time_limit_errors:
        log.warning("job %s: time limit reached", job.id)
        jobs.finish(job, JobStatus.FAILED, error=TIME_LIMIT)
        return JobStatus.FAILED
    except Exception as error:
        log.exception("job %s: failed", job.id)
        jobs.finish(job, JobStatus.FAILED, error=describe(error))
        return JobStatus.FAILED
    finally:
        release_model_state()
    status = end_job(job, outcome)
    log.info("job %s: %s after epoch %s", job.id, status, outcome.epoch)
    return status
