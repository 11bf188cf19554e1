"""Routes of /experiments: submit a spec, read, list, cancel, report."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from api.auth import OwnerDep
from api.deps import BrokerDep, ExperimentId, SessionDep, SettingsDep
from api.report.build import build_report
from api.report.schemas import Report
from api.schemas import ExperimentOut, ExperimentPage, ExperimentSummary, JobOut
from api.services import cancellation, submission
from api.services import experiments as services
from models.experiment import Experiment, experiment_status
from models.experiment_spec import ExperimentSpec

router = APIRouter(prefix="/experiments", tags=["experiments"])
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="repeat a POST safely: the same key and body return the first experiment",
    ),
]


def experiment_out(session: SessionDep, experiment: Experiment) -> ExperimentOut:
    """The experiment with its jobs and its status derived from them."""
    jobs = services.experiment_jobs(session, experiment.id)
    counts = services.status_counts(session, [experiment.id])[experiment.id]
    summary = ExperimentSummary.from_row(experiment, counts)
    return ExperimentOut(**summary.model_dump(), jobs=[JobOut.from_row(job) for job in jobs])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def submit_experiment(
    spec: ExperimentSpec,
    session: SessionDep,
    broker: BrokerDep,
    settings: SettingsDep,
    owner: OwnerDep,
    response: Response,
    idempotency_key: IdempotencyHeader = None,
) -> ExperimentOut:
    """Expand the spec into one job per (config, seed), store them and queue them."""
    submitted = submission.submit(
        session,
        spec=spec,
        broker=broker,
        owner=owner,
        idempotency_key=idempotency_key,
        max_active_jobs=settings.max_active_jobs_per_key,
    )
    response.headers["Location"] = f"/experiments/{submitted.experiment.id}"
    if submitted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return experiment_out(session, submitted.experiment)


@router.get("")
def list_experiments(
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="the previous page's next_cursor")
    ] = None,
) -> ExperimentPage:
    """Experiments, newest first, a page at a time."""
    limit = min(limit, settings.page_size_max)
    rows, next_cursor = services.list_experiments(session, owner=owner, limit=limit, cursor=cursor)
    counts = services.status_counts(session, [row.id for row in rows])
    items = [ExperimentSummary.from_row(row, counts[row.id]) for row in rows]
    return ExperimentPage(items=items, next_cursor=next_cursor)


@router.get("/{experiment_id}")
def read_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """One experiment: its status, counts per job status, and its jobs."""
    return experiment_out(session, services.get_experiment(session, experiment_id, owner))


@router.post("/{experiment_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
def cancel_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """Cancel every job that has not ended: queued ones never start, running ones stop."""
    experiment = cancellation.cancel_experiment(session, experiment_id, owner)
    return experiment_out(session, experiment)


@router.get("/{experiment_id}/report")
def read_report(experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep) -> Report:
    """Per-config statistics over seeds, comparisons with the best config, and findings."""
    experiment = services.get_experiment(session, experiment_id, owner)
    counts = services.status_counts(session, [experiment_id])[experiment_id]
    return build_report(session, experiment, experiment_status(counts))
