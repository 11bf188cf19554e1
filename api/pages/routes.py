"""Pages for a browser: the experiments, one experiment live, one job live.

The server renders each page once; the browser draws the curves and follows the event stream
from the JSON routes, so nothing is rendered per event.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.core.auth import OwnerDep
from api.core.inputs import StoredText
from api.deps import ExperimentId, JobId, SessionDep
from api.experiments import service as services
from api.experiments.presenters import experiment_summaries
from api.pages.html import experiment_page, job_page, templates
from models.experiment import ExperimentStatus
from models.presets import PRESETS

router = APIRouter(prefix="/ui", tags=["pages"], include_in_schema=False)
PAGE_SIZE = 50


@router.get("/experiments", response_class=HTMLResponse)
def experiments_page(
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    name: Annotated[StoredText | None, Query(max_length=200)] = None,
    # The search form sends an empty status for "any".
    status: Annotated[ExperimentStatus | Literal[""] | None, Query()] = None,
) -> HTMLResponse:
    """The experiments, newest first: searched by name, filtered by status, a page at a time."""
    where = services.ExperimentQuery(name=name, status=status or None)
    rows, next_cursor = services.list_experiments(
        session, owner=owner, limit=PAGE_SIZE, cursor=cursor, where=where
    )
    filters = {key: value for key, value in (("name", name), ("status", status)) if value}
    context = {
        "experiments": experiment_summaries(session, rows),
        "next_cursor": next_cursor,
        "filters": filters,
        "name": name or "",
        "status": status or "",
        "statuses": list(ExperimentStatus),
        "presets": list(PRESETS),
        "paged": cursor is not None,
    }
    return templates.TemplateResponse(request, "experiments.html", context)


@router.get("/experiments/{experiment_id}", response_class=HTMLResponse)
def experiment_ui(
    experiment_id: ExperimentId,
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
) -> HTMLResponse:
    """One experiment as a page that follows it live."""
    return experiment_page(request, session, experiment_id, owner)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_ui(job_id: JobId, request: Request, session: SessionDep, owner: OwnerDep) -> HTMLResponse:
    """One job as a page that follows it live: conditions, curves, diagnostics, events, config."""
    return job_page(request, session, job_id, owner)
