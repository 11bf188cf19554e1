"""Re-running: a new experiment with the same configs and seeds as an experiment or one job."""

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.core.errors import NotRerunnable
from api.experiments import submission
from api.experiments.service import experiment_jobs, get_experiment
from api.jobs.service import get_job
from models.broker import Broker
from models.experiment import Experiment
from models.experiment_spec import ExperimentSpec
from models.job import Job


@dataclass(frozen=True)
class Resubmission:
    """Who asks, and where the new jobs go: the broker, within the caller's quota."""

    owner: str | None
    broker: Broker
    max_active_jobs: int

    def submit(
        self, session: Session, spec: ExperimentSpec, follow_up_of: int | None = None
    ) -> submission.Submitted:
        """Submit the spec as a new experiment of the caller's, never idempotent by key."""
        return submission.submit(
            session,
            spec=spec,
            broker=self.broker,
            owner=self.owner,
            idempotency_key=None,
            max_active_jobs=self.max_active_jobs,
            follow_up_of=follow_up_of,
        )


def spec_of(name: str, jobs: Sequence[Job]) -> ExperimentSpec:
    """The spec whose expansion is these jobs: their configs as variants, their seeds."""
    configs = list({job.config_key: job.config for job in jobs}.values())
    seeds = list(dict.fromkeys(job.seed for job in jobs))
    if {(job.config_key, job.seed) for job in jobs} != {
        (key, seed) for key in {job.config_key for job in jobs} for seed in seeds
    }:
        raise NotRerunnable("the jobs are not every config with every seed")
    try:
        return ExperimentSpec.model_validate({"name": name, "variants": configs, "seeds": seeds})
    except ValidationError as error:
        raise NotRerunnable(f"the jobs no longer make a valid experiment: {error}") from None


def adaptive_spec(source: Experiment) -> ExperimentSpec:
    """An adaptive experiment's own spec (its preset already expanded in it): re-run, it adds
    its rounds anew."""
    stored = {key: value for key, value in source.spec.items() if key != "preset"}
    try:
        return ExperimentSpec.model_validate(stored)
    except ValidationError as error:
        raise NotRerunnable(f"the spec is no longer valid: {error}") from None


def _submit(
    session: Session, spec: ExperimentSpec, source: Experiment, notes: str, how: Resubmission
) -> submission.Submitted:
    submitted = how.submit(session, spec)
    submitted.experiment.notes = notes
    submitted.experiment.tags = list(source.tags)
    session.flush()
    return submitted


def rerun_experiment(
    session: Session, experiment_id: int, how: Resubmission
) -> submission.Submitted:
    """A new experiment of the same name and tags, with every (config, seed) of this one; an
    adaptive one's spec, which decides its rounds again."""
    source = get_experiment(session, experiment_id, how.owner)
    if source.rounds_done is not None:
        spec = adaptive_spec(source)
    else:
        spec = spec_of(source.name, experiment_jobs(session, experiment_id))
    return _submit(session, spec, source, f"re-run of experiment {experiment_id}", how)


def rerun_job(session: Session, job_id: int, how: Resubmission) -> submission.Submitted:
    """A new one-job experiment, named and tagged as the job's, with its config and seed."""
    job = get_job(session, job_id, how.owner)
    source = get_experiment(session, job.experiment_id, how.owner)
    notes = f"re-run of job {job_id} of experiment {source.id}"
    return _submit(session, spec_of(source.name, [job]), source, notes, how)
