"""The job_conditions table: what the diagnosis of a job found, one row per (job, name, subject).

A condition is derived from a job's stored metrics and diagnostics (analysis.conditions) after each
epoch and when the job ends; the report, the pages and the exports read it from here.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType


class ConditionName(StrEnum):
    """Every condition the diagnosis knows; docs/diagnosis.md explains each."""

    SATURATED_SOFTMAX = "saturated_softmax"
    CLIPPED_STALL = "clipped_stall"
    DEAD_UNITS = "dead_units"
    SATURATED_UNITS = "saturated_units"
    VANISHING_GRADIENTS = "vanishing_gradients"
    TINY_STEPS = "tiny_steps"
    EXPLODED = "exploded"
    AT_CHANCE = "at_chance"
    OVERFITTING = "overfitting"
    UNSTABLE = "unstable"
    STILL_IMPROVING = "still_improving"
    TINY_INPUTS = "tiny_inputs"


class ConditionKind(StrEnum):
    """A problem is something that went wrong; a note is worth knowing but not a fault."""

    PROBLEM = "problem"
    NOTE = "note"


# The subject of a condition about the whole job (not one layer).
JOB_SUBJECT = "job"


class JobCondition(Base):
    """One condition of one job: when it first held, what it means, and the numbers behind it.

    `subject` is the layer a per-layer condition is about (`hidden_1`, `output`), else "job".
    `evidence` holds the diagnostic names, values, thresholds and epochs the statement rests on.
    """

    __tablename__ = "job_conditions"
    # GET /jobs?condition=NAME looks jobs up by condition name.
    __table_args__ = (Index("ix_job_conditions_name_job_id", "name", "job_id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(32), primary_key=True, default=JOB_SUBJECT)
    kind: Mapped[str] = mapped_column(String(16))
    epoch: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    caused_by: Mapped[str | None] = mapped_column(String(32))


class ConditionOut(BaseModel):
    """One condition of the job's diagnosis (docs/diagnosis.md explains each)."""

    model_config = ConfigDict(from_attributes=True)

    name: ConditionName = Field(description="which condition (docs/diagnosis.md)")
    kind: ConditionKind = Field(description="problem: something went wrong; note: worth knowing")
    subject: str = Field(description='"job", or the layer it is about ("hidden_1")')
    epoch: int = Field(description="the first epoch from which it held")
    statement: str = Field(description="what it means, in plain words, with the numbers")
    evidence: dict[str, Any] = Field(
        description="`values` (diagnostics and losses; a list means one per epoch of `epochs`), "
        "`thresholds` they were held against, and `epochs`"
    )
    caused_by: ConditionName | None = Field(
        None, description="the condition this one follows from; null for a root cause"
    )
