"""A stack of jobs from claim to end: claim each, train them together, end each."""

import logging

from models.job import JobStatus
from models.settings import get_settings
from worker import jobs
from worker.hooks import RecordingHooks
from worker.runner import TIME_LIMIT, describe, end_job, run_claimed, training_data
from worker.training import runtime
from worker.training.loop import TrainingData, release_model_state
from worker.training.stack_loop import train_stack
from worker.training.stacked import Member

log = logging.getLogger(__name__)


def _members(
    claimed: list[jobs.ClaimedJob], hooks: list[RecordingHooks]
) -> tuple[list[Member], list[TrainingData]]:
    """One member per job; each distinct preprocessing once, from the process's cache."""
    keys: dict[str, int] = {}
    sources: list[TrainingData] = []
    members = []
    for job in claimed:
        key = job.config.preprocessing.resolved().model_dump_json()
        if key not in keys:
            keys[key] = len(sources)
            sources.append(training_data(job.config))
            for hook in hooks:
                hook.alive()
        members.append(Member(job.config, job.seed, keys[key]))
    return members, sources


def _fail_all(claimed: list[jobs.ClaimedJob], reason: str) -> dict[int, str]:
    for job in claimed:
        jobs.finish(job, JobStatus.FAILED, error=reason)
    return {job.id: JobStatus.FAILED for job in claimed}


def run_stack(
    job_ids: list[int], time_limit_errors: tuple[type[BaseException], ...] = ()
) -> dict[int, str]:
    """Claim the jobs and train those claimed together; how each ended, by job id."""
    claimed = [job for job_id in job_ids if (job := jobs.claim(job_id)) is not None]
    if len(claimed) <= 1:  # the others were cancelled or claimed elsewhere: nothing to stack
        return {job.id: run_claimed(job, time_limit_errors) for job in claimed}
    log.info("stack of %s jobs started: %s", len(claimed), [job.id for job in claimed])
    settings = get_settings()
    hooks = [RecordingHooks(job, settings.cancel_poll_seconds) for job in claimed]
    try:
        runtime.configure(settings.tf_threads)
        members, sources = _members(claimed, hooks)
        outcomes = train_stack(members, sources, hooks, xla=settings.xla)
    except time_limit_errors:
        return _fail_all(claimed, TIME_LIMIT)
    except Exception as error:
        log.exception("stack %s failed", [job.id for job in claimed])
        return _fail_all(claimed, describe(error))
    finally:
        release_model_state()
    return {
        job.id: end_job(job, outcome, hook.epochs)
        for job, outcome, hook in zip(claimed, outcomes, hooks, strict=True)
    }
