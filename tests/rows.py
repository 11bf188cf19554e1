"""Arrange rows directly in a test database."""

from sqlalchemy.orm import Session

from models.experiment import Experiment
from models.job import Job
from models.spec import JobConfig


def add_job(session: Session, config: JobConfig, seed: int = 0, **values: object) -> int:
    """Store an experiment holding one job with the given config; return the job's id."""
    experiment = Experiment(name="arranged", spec={})
    job = Job(
        experiment=experiment,
        config=config.model_dump(mode="json"),
        config_key=config.key(),
        seed=seed,
        epochs=config.training.epochs,
        **values,
    )
    session.add_all([experiment, job])
    session.commit()
    return job.id
