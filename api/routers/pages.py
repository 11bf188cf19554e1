"""Server-rendered pages for a browser: the experiments, and one experiment live."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import OwnerDep
from api.deps import ExperimentId, SessionDep
from api.html_pages import experiment_page, templates
from api.presenters import experiment_summaries
from api.services import experiments as services

router = APIRouter(prefix="/ui", tags=["pages"], include_in_schema=False)


@router.get("/experiments", response_class=HTMLResponse)
def experiments_page(
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The experiments, newest first."""
    rows, next_cursor = services.list_experiments(session, owner=owner, limit=50, cursor=cursor)
    context = {"experiments": experiment_summaries(session, rows), "next_cursor": next_cursor}
    return templates.TemplateResponse(request, "experiments.html", context)


@router.get("/experiments/{experiment_id}", response_class=HTMLResponse)
def experiment_ui(
    experiment_id: ExperimentId,
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
    fragment: Annotated[bool, Query(description="only the part the live page refreshes")] = False,
) -> HTMLResponse:
    """One experiment as a page that follows it live."""
    return experiment_page(request, session, experiment_id, owner, fragment)
