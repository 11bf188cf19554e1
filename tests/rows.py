"""Arrange rows directly in a test database."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.condition import JobCondition
from models.experiment import Experiment
from models.job import Job
from models.metric import EpochMetric
from models.spec import JobConfig


def job_row(experiment: Experiment, config: JobConfig, seed: int = 0, **values: object) -> Job:
    """A job of the experiment with this config; its epochs are the config's unless given."""
    values.setdefault("epochs", config.training.epochs)
    return Job(
        experiment=experiment,
        config=config.model_dump(mode="json"),
        config_key=config.key(),
        seed=seed,
        **values,
    )


# (epoch, train loss, train accuracy, test loss, test accuracy)
Figures = tuple[int, float, float, float, float]


def epoch_rows(job_id: int, figures: Iterable[Figures], seconds: float = 0.1) -> list[EpochMetric]:
    """A job's `epoch_metrics` rows, one per epoch's figures."""
    return [
        EpochMetric(
            job_id=job_id,
            epoch=epoch,
            loss=loss,
            accuracy=accuracy,
            test_loss=test_loss,
            test_accuracy=test_accuracy,
            seconds=seconds,
        )
        for epoch, loss, accuracy, test_loss, test_accuracy in figures
    ]


def add_job(session: Session, config: JobConfig, seed: int = 0, **values: object) -> int:
    """Store an experiment holding one job with the given config; return the job's id."""
    experiment = Experiment(name="arranged", spec={})
    job = job_row(experiment, config, seed, **values)
    session.add_all([experiment, job])
    session.commit()
    return job.id


def reload(session: Session, job_id: int) -> Job:
    """The job's row as it is now."""
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None
    return job


def job_conditions(session: Session, job_id: int) -> list[JobCondition]:
    """The job's stored conditions as they are now."""
    session.expire_all()
    return list(session.scalars(select(JobCondition).where(JobCondition.job_id == job_id)))


def saturated_condition(job_id: int) -> JobCondition:
    """A saturated softmax from the start, as the diagnosis states it."""
    return JobCondition(
        job_id=job_id,
        name="saturated_softmax",
        subject="job",
        kind="problem",
        epoch=0,
        statement="Before training, 83% of the probe images have a saturated softmax.",
        evidence={
            "values": {"output.saturated_share": 0.83},
            "thresholds": {"output.saturated_share": 0.5},
            "epochs": [0],
        },
    )
