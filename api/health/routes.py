"""Route of /health: does the service reach its database and its broker."""

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.core.auth import OwnerDep
from api.core.errors import DATABASE_RETRY_SECONDS
from api.deps import BrokerDep, SessionDep
from api.health.schemas import HealthOut

router = APIRouter(tags=["operations"])
PROMETHEUS: dict[int | str, dict[str, object]] = {
    200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}
}


@router.get("/health", responses={503: {"model": HealthOut}})
def health(session: SessionDep, broker: BrokerDep, response: Response) -> HealthOut:
    """Check the database and the broker; 503 with Retry-After when either does not answer."""
    try:
        session.execute(text("SELECT 1"))
        database_ok = True
    except Exception:
        database_ok = False
    broker_ok = broker.ping()
    if not (database_ok and broker_ok):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    return HealthOut(
        status="ok" if database_ok and broker_ok else "unavailable",
        database="ok" if database_ok else "unavailable",
        broker="ok" if broker_ok else "unavailable",
    )


@router.get("/metrics", response_class=PlainTextResponse, responses=PROMETHEUS)
def metrics(request: Request, owner: OwnerDep) -> PlainTextResponse:
    """Prometheus text format: jobs by status, queue depth, job and epoch durations, requests
    (with API keys configured, any key may read it)."""
    body = generate_latest(request.app.state.metrics_registry)
    return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)
