"""Route of /health: does the service reach its database and its broker."""

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from api.deps import BrokerDep, SessionDep
from api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"model": HealthOut}})
def health(session: SessionDep, broker: BrokerDep, response: Response) -> HealthOut:
    """Check the database and the broker; 503 when either does not answer."""
    try:
        session.execute(text("SELECT 1"))
        database_ok = True
    except Exception:
        database_ok = False
    broker_ok = broker.ping()
    if not (database_ok and broker_ok):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut(
        status="ok" if database_ok and broker_ok else "unavailable",
        database="ok" if database_ok else "unavailable",
        broker="ok" if broker_ok else "unavailable",
    )
