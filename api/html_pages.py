"""The HTML of the server-rendered pages: their templates, and one experiment's page, which
GET /experiments/{id} also answers to a browser."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.palette import CONFIG_COLOURS
from api.presenters import experiment_out, experiment_report
from api.services import experiments as services

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["palette"] = CONFIG_COLOURS


def experiment_page(
    request: Request, session: Session, experiment_id: int, owner: str | None
) -> HTMLResponse:
    """One experiment: its answer first, then curves, comparisons and jobs, followed live."""
    experiment = services.get_experiment(session, experiment_id, owner)
    report = experiment_report(session, experiment)
    context = {
        "experiment": experiment_out(session, experiment),
        "summary": report.summary,
        "report": report.model_dump(mode="json"),
    }
    return templates.TemplateResponse(request, "experiment.html", context)
