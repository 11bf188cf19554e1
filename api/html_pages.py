"""The HTML of the server-rendered pages: their templates, and one experiment's page, which
GET /experiments/{id} also answers to a browser."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.presenters import experiment_out, experiment_report
from api.services import experiments as services

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def prefers_html(request: Request) -> bool:
    """Whether the client asks for HTML before JSON (a browser does; curl does not)."""
    accept = request.headers.get("accept", "")
    html, json_ = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json_ < 0 or html < json_)


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
