"""Epochs read back from the stored rows, so a diagnosis is a function of what the database
holds: the worker diagnoses each epoch from it, the API re-diagnoses ended jobs with it."""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from analysis.epochs import EpochResult
from models.diagnostic import JobDiagnostic
from models.job import Job
from models.metric import EpochMetric
from models.nonfinite import restored


def _diagnostics(
    session: Session, where: ColumnElement[bool]
) -> dict[int, dict[int, dict[str, float]]]:
    rows = session.execute(
        select(JobDiagnostic.job_id, JobDiagnostic.epoch, JobDiagnostic.name)
        .add_columns(JobDiagnostic.value, JobDiagnostic.nonfinite)
        .join(Job)
        .where(where)
    )
    found: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for job_id, epoch, name, value, flag in rows:
        found[job_id][epoch][name] = restored(value, flag)
    return found


def epochs_where(session: Session, where: ColumnElement[bool]) -> dict[int, list[EpochResult]]:
    """The stored epochs of the jobs the condition selects, by job id, in epoch order."""
    diagnostics = _diagnostics(session, where)
    rows = session.scalars(
        select(EpochMetric).join(Job).where(where).order_by(EpochMetric.job_id, EpochMetric.epoch)
    )
    found: dict[int, list[EpochResult]] = defaultdict(list)
    for row in rows:
        found[row.job_id].append(_epoch(row, diagnostics[row.job_id][row.epoch]))
    return dict(found)


def _epoch(row: EpochMetric, diagnostics: dict[str, float]) -> EpochResult:
    return EpochResult(
        epoch=row.epoch,
        loss=restored(row.loss, row.loss_nonfinite),
        accuracy=restored(row.accuracy, None),
        test_loss=restored(row.test_loss, row.test_loss_nonfinite),
        test_accuracy=restored(row.test_accuracy, None),
        seconds=row.seconds,
        diagnostics=dict(diagnostics),
    )


def job_epochs(session: Session, job_id: int) -> list[EpochResult]:
    """One job's stored epochs, in order."""
    return epochs_where(session, Job.id == job_id).get(job_id, [])


def experiment_epochs(
    session: Session, experiment_ids: Iterable[int]
) -> dict[int, list[EpochResult]]:
    """Every stored epoch of the experiments' jobs, by job id."""
    return epochs_where(session, Job.experiment_id.in_(list(experiment_ids)))
