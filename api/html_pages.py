"""The HTML of the server-rendered pages: their templates, and one experiment's page, which
GET /experiments/{id} also answers to a browser."""

import time
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
    request: Request,
    session: Session,
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
