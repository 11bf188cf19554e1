"""The HTTP shapes of jobs, their metrics and diagnostics, built from the table rows."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from analysis.conditions.words import condition_words
from models.condition import ConditionName, ConditionOut, JobCondition
from models.job import CurveSummary, Job, JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig


class Progress(BaseModel):
    """Epochs finished out of epochs planned; batches done in the running epoch."""

    epoch: int = Field(description="epochs finished (0: only the evaluation before training)")
    epochs: int = Field(description="epochs planned")
    batches: int = Field(description="batches done in the epoch now running")
    batches_per_epoch: int = Field(
        description="batches in one epoch (0 until the first has started)"
    )


class JobResult(BaseModel):
    """The final epoch's figures: Keras' epoch-average train loss and accuracy, test set too."""

    loss: float | None = Field(
        description="train loss of the last epoch (Keras' epoch average); null if not finite"
    )
    accuracy: float | None = Field(description="train accuracy of the last epoch (epoch average)")
    test_loss: float | None = Field(
        description="loss on the test images after the last epoch; null if not finite"
    )
    test_accuracy: float | None = Field(
        description="accuracy on the test images after the last epoch"
    )


class StoppedEarly(BaseModel):
    """Where a job asked to stop early stopped, and the condition that made its fate certain;
    or where a search's pruner stopped a trial's run (`pruned`)."""

    epoch: int = Field(description="the last epoch it trained")
    condition: ConditionName | Literal["pruned"] = Field(
        description="the condition no further epoch could lift, or pruned: the run was worse "
        "than the median of a search's finished trials at that epoch"
    )


def curve_summary(job: Job) -> CurveSummary | None:
    """The job's curve summary, read from its row; None until the job has ended."""
    if job.finished_at is None or job.stuck is None:
        return None
    return CurveSummary.model_validate(job, from_attributes=True)


class DiagnosticsSummary(BaseModel):
    """Key diagnostics before training and after the last finished epoch, beside chance."""

    chance_loss: float = Field(description="ln 10: the loss of a uniform guess over 10 classes")
    epoch_0: dict[str, float | None] = Field(description="key diagnostics before training, by name")
    last_epoch: int = Field(description="the last finished epoch")
    last: dict[str, float | None] = Field(
        description="key diagnostics after the last finished epoch, by name"
    )


class JobConditionOut(ConditionOut):
    """A condition of the job's diagnosis, and the condition it follows from, in plain words."""

    words: str = Field(description="the condition in plain words, with its layer")
    follows_from: str | None = Field(
        description="`caused_by` in plain words, with its layer; null for a root cause"
    )

    @classmethod
    def of(cls, row: JobCondition, held: Sequence[JobCondition]) -> "JobConditionOut":
        """The row in words; its cause is named with the layer the job shows it in."""
        causes = [condition_words(c.name, c.subject) for c in held if c.name == row.caused_by]
        return cls(
            **ConditionOut.model_validate(row).model_dump(),
            words=condition_words(row.name, row.subject),
            follows_from=causes[0] if causes else None,
        )


class JobOut(BaseModel):
    """One job; `result` is set once it succeeded, `error` once it failed."""

    id: int = Field(description="the job's id")
    experiment_id: int = Field(description="the experiment it belongs to")
    status: JobStatus = Field(description="queued, running, succeeded, failed or cancelled")
    config: JobConfig = Field(description="the full config it trains, every default explicit")
    seed: int = Field(description="the seed of its initialisation and shuffling")
    progress: Progress = Field(description="how far it has trained")
    result: JobResult | None = Field(description="the last epoch's figures; set once it succeeded")
    error: str | None = Field(description="why it failed; set once it failed")
    stopped_early: StoppedEarly | None = Field(
        description="set when it was asked to stop early and did: the epoch and the condition"
    )
    cancel_requested: bool = Field(description="whether a cancel was asked for")
    attempt: int = Field(description="how many times a worker has started it")
    summary: CurveSummary | None = Field(
        description="the curve in a few numbers, once it has ended"
    )
    trial: int | None = Field(None, description="the search trial it runs a seed of")
    diagnostics: DiagnosticsSummary | None = Field(
        None, description="only on GET /jobs/{id}; all of them at /jobs/{id}/diagnostics"
    )
    conditions: list[JobConditionOut] | None = Field(
        None,
        description="only on GET /jobs/{id}: the diagnosis as of the last finished epoch, "
        "problems first",
    )
    created_at: datetime = Field(description="when it was submitted (UTC)")
    started_at: datetime | None = Field(description="when a worker started it (UTC)")
    finished_at: datetime | None = Field(description="when it ended (UTC)")

    @classmethod
    def from_row(cls, job: Job) -> "JobOut":
        """Build from a `jobs` row."""
        result = None
        if job.status == JobStatus.SUCCEEDED:
            result = JobResult(**job.final_figures())
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
            stopped_early=job.stopped_early,
            cancel_requested=job.cancel_requested_at is not None,
            attempt=job.attempt,
            summary=curve_summary(job),
            trial=job.trial,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class JobPage(BaseModel):
    """A page of jobs in creation order; pass `next_cursor` as `cursor` for the next."""

    items: list[JobOut] = Field(description="the jobs of this page")
    next_cursor: str | None = Field(description="null on the last page")


class EpochMetricOut(BaseModel):
    """One epoch: epoch 0 is the evaluation before training; losses are null if not finite."""

    model_config = ConfigDict(from_attributes=True)

    epoch: int = Field(description="0 is the evaluation before training")
    loss: float | None = Field(description="train loss (Keras' epoch average); null if not finite")
    accuracy: float | None = Field(description="train accuracy (epoch average)")
    test_loss: float | None = Field(
        description="loss on the test images after the epoch; null if not finite"
    )
    test_accuracy: float | None = Field(description="accuracy on the test images after the epoch")
    seconds: float = Field(description="wall-clock seconds the epoch took")

    @classmethod
    def from_row(cls, row: EpochMetric) -> "EpochMetricOut":
        """Build from an `epoch_metrics` row."""
        return cls.model_validate(row)


class DiagnosticOut(BaseModel):
    """One diagnostic of one epoch; null when the value was not finite."""

    epoch: int = Field(description="the epoch it was measured after (0: before training)")
    name: str = Field(description="the diagnostic, e.g. hidden_1.dead_share")
    value: float | None = Field(description="its value; null if not finite")


class DiagnosticsOut(BaseModel):
    """A job's diagnostics, long form: one item per (epoch, name)."""

    items: list[DiagnosticOut] = Field(
        description="one per (epoch, name), in epoch then name order"
    )
    words: dict[str, str] = Field(
        description="each name of `items` in plain words, e.g. hidden_1.dead_share: "
        "'the share of dead units in the first hidden layer'"
    )


class MetricsOut(BaseModel):
    """A job's per-epoch history."""

    items: list[EpochMetricOut] = Field(description="one per epoch, in order")
