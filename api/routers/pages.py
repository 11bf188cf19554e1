"""Server-rendered pages for a browser: the experiments, and one experiment live."""

import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.auth import OwnerDep
from api.deps import ExperimentId, SessionDep
from api.presenters import experiment_out, experiment_summaries
from api.report.build import build_report
from api.services import experiments as services

router = APIRouter(prefix="/ui", tags=["pages"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


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


def experiment_page(
    request: Request,
    session: SessionDep,
    experiment_id: int,
    owner: str | None,
    fragment: bool = False,
) -> HTMLResponse:
    """One experiment: status and progress of its runs, curves, comparisons, findings."""
    experiment = services.get_experiment(session, experiment_id, owner)
    shown = experiment_out(session, experiment)
    report = build_report(session, experiment, shown.status)  # the status the page shows
    labels = {job_id: row.label for row in report.configs for job_id in row.job_ids}
    context = {
        "experiment": shown,
        "report": report,
        "labels": labels,
        "version": int(time.time()),
    }
    return templates.TemplateResponse(
        request, "experiment_body.html" if fragment else "experiment.html", context
    )


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
