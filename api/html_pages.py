"""The HTML of the server-rendered pages: their templates, and one experiment's page, which
GET /experiments/{id} also answers to a browser."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.presenters import experiment_out
from api.report.build import build_report
from api.services import experiments as services

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def experiment_page(
    request: Request, session: Session, experiment_id: int, owner: str | None
) -> HTMLResponse:
    """One experiment: its answer first, then curves, comparisons and jobs, followed live."""
    experiment = services.get_experiment(session, experiment_id, owner)
    shown = experiment_out(session, experiment)
    # The status from the jobs just read, not from another count of them.
    report = build_report(session, experiment, shown.status)
    context = {
        "experiment": shown,
        "summary": report.summary,
        "report": report.model_dump(mode="json"),
    }
    return templates.TemplateResponse(request, "experiment.html", context)
