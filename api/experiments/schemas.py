"""The HTTP shapes of experiments, their pages and the report's query, built from the rows."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from analysis.adaptive.sequential import Stop
from analysis.report.comparisons import DEFAULT_METRIC, Metric
from analysis.report.schemas import RoundOut
from api.core.inputs import StoredText
from api.jobs.schemas import JobOut
from models.experiment import Experiment, ExperimentStatus, experiment_status, pending_round
from models.experiment_spec import ExperimentName
from models.job import JobStatus


class ExperimentSummary(BaseModel):
    """An experiment without its jobs: status derived from the jobs, counts per status."""

    id: int = Field(description="the experiment's id")
    name: str = Field(description="its name, as submitted or renamed")
    status: ExperimentStatus = Field(
        description="derived from its jobs: queued, running, succeeded, failed or cancelled"
    )
    counts: dict[JobStatus, int] = Field(description="how many of its jobs are in each status")
    notes: str = Field(description="free text, set with PATCH")
    tags: list[str] = Field(description="short labels, set with PATCH; GET /experiments?tag=")
    archived_at: datetime | None = Field(description="when archived; null if not")
    follow_up_of: int | None = Field(
        description="the experiment whose report's follow-ups this one runs; null if none"
    )
    rounds: list[RoundOut] | None = Field(
        None, description="an adaptive experiment's rounds so far; null for any other"
    )
    stopped: Stop | None = Field(
        None,
        description="why an adaptive experiment stopped adding rounds: every pair decided, "
        "max seeds reached, search done, or cancelled; null while it may add more",
    )
    created_at: datetime = Field(description="when it was submitted (UTC)")

    @classmethod
    def from_row(cls, experiment: Experiment, counts: dict[str, int]) -> "ExperimentSummary":
        """Build from an `experiments` row and its jobs' counts per status."""
        full = {status: counts.get(status, 0) for status in JobStatus}
        return cls(
            id=experiment.id,
            name=experiment.name,
            status=experiment_status(counts, pending=pending_round(experiment)),
            counts=full,
            notes=experiment.notes,
            tags=experiment.tags,
            archived_at=experiment.archived_at,
            follow_up_of=experiment.follow_up_of,
            rounds=experiment.rounds,
            stopped=experiment.stopped,
            created_at=experiment.created_at,
        )


Tag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,39}$")]
MAX_TAGS = 20
MAX_NOTES = 10_000


def _not_nullable(schema: dict[str, Any]) -> None:
    """Drop the null alternative of an optional field from its JSON schema."""
    variants = [v for v in schema.pop("anyOf", []) if v.get("type") != "null"]
    if variants:
        schema.update(variants[0])
    schema.pop("default", None)


def _distinct_items(schema: dict[str, Any]) -> None:
    """A list of distinct values, not nullable."""
    _not_nullable(schema)
    schema["uniqueItems"] = True


class ExperimentPatch(BaseModel):
    """What PATCH /experiments/{id} may change; a field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "seed question, 5 seeds", "tags": ["seed"]}]},
    )

    # Null is refused (below) and left out of the schema: leave a field out to keep it.
    name: ExperimentName | None = Field(
        None, description="the new name, 1-200 characters", json_schema_extra=_not_nullable
    )
    notes: StoredText | None = Field(
        None,
        max_length=MAX_NOTES,
        description='free text; "" clears the notes',
        json_schema_extra=_not_nullable,
    )
    tags: list[Tag] | None = Field(
        None,
        max_length=MAX_TAGS,
        description="the whole new list of distinct tags, each 1-40 of A-Z a-z 0-9 _ . : / + - "
        "starting with a letter or digit; [] clears them",
        json_schema_extra=_distinct_items,
    )

    @field_validator("name", "notes", "tags", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null: leave the field out to keep its value")
        return value

    @field_validator("tags")
    @classmethod
    def _distinct(cls, tags: list[str] | None) -> list[str] | None:
        if tags is not None and len(set(tags)) != len(tags):
            raise ValueError("tags must be distinct")
        return tags


class ExperimentOut(ExperimentSummary):
    """An experiment with every job."""

    jobs: list[JobOut] = Field(description="every job, in creation order")


class ExperimentPage(BaseModel):
    """A page of experiments, newest first; pass `next_cursor` as `cursor` for the next."""

    items: list[ExperimentSummary] = Field(description="the experiments of this page")
    next_cursor: str | None = Field(description="null on the last page")


class ReportQuery(BaseModel):
    """The report's query parameters; any other is refused."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric | None = Field(
        None,
        description=f"the final figure configs are compared on (default {DEFAULT_METRIC}, or "
        "the one an adaptive experiment decides on)",
    )
    margin: float | None = Field(
        None,
        gt=0,
        le=100,
        description="equivalence margin on the metric (default 0.01 for losses, 0.005 for "
        "accuracies)",
    )


class CompareQuery(ReportQuery):
    """The experiments to compare, and the report's own parameters; any other is refused."""

    ids: str = Field(pattern=r"^\d{1,10},\d{1,10}$", description="two experiment ids: `ids=1,2`")


class RediagnosisOut(BaseModel):
    """How many ended jobs were diagnosed again, and how many of their diagnoses changed."""

    experiment_id: int = Field(description="the experiment")
    jobs: int = Field(description="its ended jobs, each diagnosed again from its stored epochs")
    changed: int = Field(description="how many of them now have other conditions")
