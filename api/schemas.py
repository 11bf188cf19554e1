"""The HTTP shapes of experiments, jobs and metrics, built from the table rows."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.condition import ConditionKind, ConditionName
from models.experiment import Experiment, ExperimentStatus, experiment_status
from models.job import Job, JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig


class Progress(BaseModel):
    """Epochs finished out of epochs planned; batches done in the running epoch."""

    epoch: int
    epochs: int
    batches: int = Field(description="batches done in the epoch now running")
    batches_per_epoch: int


class JobResult(BaseModel):
    """The final epoch's figures: Keras' epoch-average train loss and accuracy, test set too."""

    loss: float | None
    accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None


class CurveSummaryOut(BaseModel):
    """The learning curve in a few numbers, written when the job ends (see worker.curves)."""

    best_test_loss: float | None
    best_test_loss_epoch: int | None
    best_test_accuracy: float | None
    best_test_accuracy_epoch: int | None
    epochs_to_accuracy_80: int | None
    epochs_to_accuracy_85: int | None
    train_loss_auc: float | None
    stuck: bool | None
    diverged_epoch: int | None

    @classmethod
    def from_row(cls, job: Job) -> "CurveSummaryOut | None":
        """Build from a `jobs` row; None until the job has ended."""
        if job.finished_at is None or job.stuck is None:
            return None
        return cls(**{name: getattr(job, name) for name in cls.model_fields})


class DiagnosticsSummary(BaseModel):
    """Key diagnostics before training and after the last finished epoch, beside chance."""

    chance_loss: float = Field(description="ln 10: the loss of a uniform guess over 10 classes")
    epoch_0: dict[str, float | None]
    last_epoch: int
    last: dict[str, float | None]


class ConditionOut(BaseModel):
    """One condition of the job's diagnosis (README "Reading a diagnosis" explains each)."""

    model_config = ConfigDict(from_attributes=True)

    name: ConditionName
    kind: ConditionKind = Field(description="problem: something went wrong; note: worth knowing")
    subject: str = Field(description='"job", or the layer it is about ("hidden_1")')
    epoch: int = Field(description="the first epoch from which it held")
    statement: str = Field(description="what it means, in plain words, with the numbers")
    evidence: dict[str, Any] = Field(
        description="`values` (diagnostics and losses; a list means one per epoch of `epochs`), "
        "`thresholds` they were held against, and `epochs`"
    )


class JobOut(BaseModel):
    """One job; `result` is set once it succeeded, `error` once it failed."""

    id: int
    experiment_id: int
    status: JobStatus
    config: JobConfig
    seed: int
    progress: Progress
    result: JobResult | None
    error: str | None
    cancel_requested: bool
    attempt: int
    summary: CurveSummaryOut | None
    diagnostics: DiagnosticsSummary | None = Field(
        None, description="only on GET /jobs/{id}; all of them at /jobs/{id}/diagnostics"
    )
    conditions: list[ConditionOut] | None = Field(
        None,
        description="only on GET /jobs/{id}: the diagnosis as of the last finished epoch, "
        "problems first",
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, job: Job) -> "JobOut":
        """Build from a `jobs` row."""
        result = None
        if job.status == JobStatus.SUCCEEDED:
            result = JobResult(
                loss=job.final_loss,
                accuracy=job.final_accuracy,
                test_loss=job.final_test_loss,
                test_accuracy=job.final_test_accuracy,
            )
        return cls(
            id=job.id,
            experiment_id=job.experiment_id,
            status=JobStatus(job.status),
            config=JobConfig.model_validate(job.config),
            seed=job.seed,
            progress=Progress(
                epoch=job.epochs_done,
                epochs=job.epochs,
                batches=job.batches_done,
                batches_per_epoch=job.batches_total,
            ),
            result=result,
            error=job.error,
            cancel_requested=job.cancel_requested_at is not None,
            attempt=job.attempt,
            summary=CurveSummaryOut.from_row(job),
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class ExperimentSummary(BaseModel):
    """An experiment without its jobs: status derived from the jobs, counts per status."""

    id: int
    name: str
    status: ExperimentStatus
    counts: dict[JobStatus, int]
    created_at: datetime

    @classmethod
    def from_row(cls, experiment: Experiment, counts: dict[str, int]) -> "ExperimentSummary":
        """Build from an `experiments` row and its jobs' counts per status."""
        full = {status: counts.get(status, 0) for status in JobStatus}
        return cls(
            id=experiment.id,
            name=experiment.name,
            status=experiment_status(counts),
            counts=full,
            created_at=experiment.created_at,
        )


class ExperimentOut(ExperimentSummary):
    """An experiment with every job."""

    jobs: list[JobOut]


class ExperimentPage(BaseModel):
    """A page of experiments, newest first; pass `next_cursor` as `cursor` for the next."""

    items: list[ExperimentSummary]
    next_cursor: str | None = Field(description="null on the last page")


class JobPage(BaseModel):
    """A page of jobs in creation order; pass `next_cursor` as `cursor` for the next."""

    items: list[JobOut]
    next_cursor: str | None = Field(description="null on the last page")


class EpochMetricOut(BaseModel):
    """One epoch: epoch 0 is the evaluation before training; losses are null if not finite."""

    epoch: int
    loss: float | None
    accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    seconds: float

    @classmethod
    def from_row(cls, row: EpochMetric) -> "EpochMetricOut":
        """Build from an `epoch_metrics` row."""
        return cls(
            epoch=row.epoch,
            loss=row.loss,
            accuracy=row.accuracy,
            test_loss=row.test_loss,
            test_accuracy=row.test_accuracy,
            seconds=row.seconds,
        )


class DiagnosticOut(BaseModel):
    """One diagnostic of one epoch; null when the value was not finite."""

    epoch: int
    name: str
    value: float | None


class DiagnosticsOut(BaseModel):
    """A job's diagnostics, long form: one item per (epoch, name)."""

    items: list[DiagnosticOut]


class MetricsOut(BaseModel):
    """A job's per-epoch history."""

    items: list[EpochMetricOut]


class HealthOut(BaseModel):
    """Whether the database and the broker answer."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
    broker: Literal["ok", "unavailable"]
