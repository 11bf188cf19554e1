"""Routes of /experiments: submit a spec, read, list, cancel, report."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse, StreamingResponse

from analysis.report.schemas import Report
from api.core.auth import OwnerDep
from api.core.inputs import StoredText
from api.core.negotiation import prefers_html
from api.deps import (
    BrokerDep,
    ExperimentId,
    PageLimit,
    SessionDep,
    SettingsDep,
    TransactionRoute,
)
from api.events import service as events
from api.events.streams import EVENT_STREAM, ResumeAfter, event_stream
from api.experiments import exports, plots, search_plot, submission
from api.experiments import service as services
from api.experiments.presenters import (
    experiment_out,
    experiment_report,
    experiment_summaries,
    submitted_response,
)
from api.experiments.schemas import MAX_TAGS, ExperimentOut, ExperimentPage, ReportQuery, Tag
from api.jobs import cancellation
from api.pages.html import experiment_page
from models.experiment import ExperimentStatus
from models.experiment_spec import ExperimentSpec

router = APIRouter(prefix="/experiments", tags=["experiments"], route_class=TransactionRoute)
IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
IMAGES: dict[int | str, dict[str, object]] = {
    200: {"content": {media: {"schema": {"type": "string"}} for media in IMAGE_TYPES.values()}}
}
EXPORT_FORMATS: dict[int | str, dict[str, object]] = {
    200: {
        "description": "the per-epoch history, long form",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="repeat a POST safely: the same key and body return the first experiment",
    ),
]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def submit_experiment(
    spec: ExperimentSpec,
    response: Response,
    session: SessionDep,
    broker: BrokerDep,
    settings: SettingsDep,
    owner: OwnerDep,
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
    return submitted_response(session, submitted, response)


@router.get("")
def list_experiments(
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    limit: PageLimit = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="the previous page's next_cursor")
    ] = None,
    tag: Annotated[
        list[Tag], Query(max_length=MAX_TAGS, description="only those with every tag given")
    ] = [],  # noqa: B006
    name: Annotated[
        StoredText | None,
        Query(max_length=200, description="only those whose name contains it, any case"),
    ] = None,
    archived: Annotated[
        bool, Query(description="the archived experiments instead of the others")
    ] = False,
    experiment_status: Annotated[
        ExperimentStatus | None, Query(alias="status", description="only experiments in it")
    ] = None,
) -> ExperimentPage:
    """Experiments, newest first, a page at a time: searched by name, filtered by tags and
    status; archived ones only when asked."""
    limit = min(limit, settings.page_size_max)
    where = services.ExperimentQuery(
        tags=tag, name=name, archived=archived, status=experiment_status
    )
    rows, next_cursor = services.list_experiments(
        session, owner=owner, limit=limit, cursor=cursor, where=where
    )
    return ExperimentPage(items=experiment_summaries(session, rows), next_cursor=next_cursor)


@router.get(
    "/{experiment_id}",
    response_model=ExperimentOut,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def read_experiment(
    experiment_id: ExperimentId, request: Request, session: SessionDep, owner: OwnerDep
) -> ExperimentOut | HTMLResponse:
    """One experiment: its status, counts per job status, and its jobs; a page for browsers."""
    if prefers_html(request):
        return experiment_page(request, session, experiment_id, owner)
    return experiment_out(session, services.get_experiment(session, experiment_id, owner))


@router.post("/{experiment_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
def cancel_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """Cancel every job that has not ended: queued ones never start, running ones stop."""
    experiment = cancellation.cancel_experiment(session, experiment_id, owner)
    return experiment_out(session, experiment)


@router.get("/{experiment_id}/report")
def read_report(
    experiment_id: ExperimentId,
    session: SessionDep,
    owner: OwnerDep,
    params: Annotated[ReportQuery, Query()],
) -> Report:
    """The answer first (summary), then per-config statistics and conditions, pairs of configs
    judged different, equivalent or undecided, one finding per pair, and follow-ups."""
    experiment = services.get_experiment(session, experiment_id, owner)
    return experiment_report(session, experiment, metric=params.metric, margin=params.margin)


@router.get("/{experiment_id}/events", response_class=StreamingResponse, responses=EVENT_STREAM)
def experiment_events(
    experiment_id: ExperimentId, request: Request, owner: OwnerDep, after: ResumeAfter
) -> StreamingResponse:
    """Server-Sent Events of every job of the experiment, until all of them have ended; bounded
    like a job's stream."""
    return event_stream(
        request,
        owner=owner,
        subject=lambda db: services.get_experiment(db, experiment_id, owner),
        fetch=lambda db, position: events.events_after(
            db, after=position, experiment_id=experiment_id
        ),
        after=after,
    )


@router.get("/{experiment_id}/metrics", response_class=StreamingResponse, responses=EXPORT_FORMATS)
def experiment_metrics(
    experiment_id: ExperimentId,
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
    output: Annotated[exports.Format | None, Query(alias="format")] = None,
) -> StreamingResponse:
    """Every epoch of every job in one call, long form: JSON, CSV or JSON Lines (`?format=` or
    the Accept header), streamed; `pandas.read_csv(url + "?format=csv")` opens it directly."""
    services.get_experiment(session, experiment_id, owner)
    return exports.export(request, experiment_id, exports.negotiate(request, output))


@router.get("/{experiment_id}/plot.{image}", response_class=Response, responses=IMAGES)
def experiment_plot(
    experiment_id: ExperimentId, image: plots.ImageFormat, session: SessionDep, owner: OwnerDep
) -> Response:
    """Loss and accuracy curves per config, mean over seeds with a 95% band clipped to the
    metric's range, the last epochs zoomed below (SVG or PNG); rendered once per state."""
    experiment = services.get_experiment(session, experiment_id, owner)
    state = services.state_of(session, experiment)
    request = plots.PlotRequest(
        experiment_id, state, image, lambda: experiment_report(session, experiment)
    )
    return Response(plots.cached(request), media_type=IMAGE_TYPES[image])


@router.get("/{experiment_id}/search.{image}", response_class=Response, responses=IMAGES)
def experiment_search_plot(
    experiment_id: ExperimentId, image: plots.ImageFormat, session: SessionDep, owner: OwnerDep
) -> Response:
    """A search's trials: each searched path against the final metric, coloured by the problem
    condition most seeds show, pruned trials hollow (SVG or PNG); rendered once per state."""
    experiment = services.get_experiment(session, experiment_id, owner)
    state = services.state_of(session, experiment)
    request = plots.PlotRequest(
        experiment_id, state, image, lambda: experiment_report(session, experiment)
    )
    return Response(
        search_plot.cached(search_plot.SearchPlot(request)), media_type=IMAGE_TYPES[image]
    )
