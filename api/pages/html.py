"""The HTML of the server-rendered pages: their templates, one experiment's page (which
GET /experiments/{id} also answers to a browser) and one job's."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from analysis.report.build import build_report
from api.core.palette import CONFIG_COLOURS, config_colour
from api.experiments import service as services
from api.experiments.presenters import experiment_out, experiment_report
from api.jobs import service as jobs

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["palette"] = CONFIG_COLOURS


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


def job_page(request: Request, session: Session, job_id: int, owner: str | None) -> HTMLResponse:
    """One job: its diagnosis first, then curves and diagnostics, drawn in its config's colour
    and named by its config's label as the experiment's page names it."""
    job = jobs.get_job(session, job_id, owner)
    report = experiment_report(session, services.get_experiment(session, job.experiment_id, owner))
    index, label = next(
        ((i, row.label) for i, row in enumerate(report.configs) if job.id in row.job_ids), (0, "")
    )
    context = {
        "job_id": job.id,
        "experiment_id": job.experiment_id,
        "status": job.status,
        "seed": job.seed,
        "label": label,
        "colour": config_colour(index),
    }
    return templates.TemplateResponse(request, "job.html", context)
