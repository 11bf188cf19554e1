"""The data model shared by the API and the worker: tables, the experiment spec, settings."""

from models.base import Base
from models.condition import JobCondition
from models.diagnostic import JobDiagnostic
from models.event import JobEvent
from models.experiment import Experiment
from models.idempotency import IdempotencyKey
from models.job import Job, JobStatus
from models.metric import EpochMetric

__all__ = [
    "Base",
    "EpochMetric",
    "Experiment",
    "IdempotencyKey",
    "Job",
    "JobCondition",
    "JobDiagnostic",
    "JobEvent",
    "JobStatus",
]
