"""Domain errors that carry their HTTP status, rendered as RFC 9457 problem details."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# How long a client should wait before retrying while the database does not answer.
DATABASE_RETRY_SECONDS = 5
UNREADABLE_BODY = (
    "cannot be read as JSON: invalid UTF-8, a number of more than 4300 digits, or nesting too deep"
)


class DomainError(Exception):
    """An error a service raises for the client; its status and title go on the response."""

    status: int = 400
    title: str = "Bad request"
    # Whether what the request wrote before the error is committed all the same (api.deps):
    # only where the client's retry relies on it.
    keeps_changes: bool = False

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotFound(DomainError):
    """The resource does not exist."""

    status = 404
    title = "Not found"


class JobNotFound(NotFound):
    """No job has this id."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f"job {job_id} not found")


class ExperimentNotFound(NotFound):
    """No experiment has this id."""

    def __init__(self, experiment_id: int) -> None:
        super().__init__(f"experiment {experiment_id} not found")


class NotCancellable(DomainError):
    """The job or experiment has already ended."""

    status = 409
    title = "Conflict"


class ExperimentBusy(DomainError):
    """The experiment still has running jobs; they were asked to stop."""

    status = 409
    title = "Conflict"
    keeps_changes = True  # the cancels stand: the retry finds the jobs stopped

    def __init__(self, experiment_id: int, running: int) -> None:
        super().__init__(
            f"experiment {experiment_id} has running jobs ({running}); cancelled them, retry "
            "when they have stopped",
            {"Retry-After": "5"},
        )


class NotRerunnable(DomainError):
    """The jobs' configs and seeds no longer make a valid experiment."""

    status = 422
    title = "Invalid request"


class NothingToFollowUp(DomainError):
    """The report has no follow-up whose changed config is still to run."""

    status = 409
    title = "Conflict"


class InvalidComparison(DomainError):
    """The experiments to compare were not given as two distinct ids."""

    status = 422
    title = "Invalid request"


class Unauthorized(DomainError):
    """No API key, or an unknown one."""

    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, {"WWW-Authenticate": "Bearer"})


class TooManyRequests(DomainError):
    """Over a per-key limit; `Retry-After` says when to try again."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, {"Retry-After": str(max(1, retry_after))})


class Unavailable(DomainError):
    """The process is at a bound of its own; `Retry-After` says when to try again."""

    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, {"Retry-After": str(max(1, retry_after))})


class NotAcceptable(DomainError):
    """None of the media types the client accepts can be served."""

    status = 406
    title = "Not acceptable"


class InvalidInput(DomainError):
    """A 422 naming each field with its error, in the shape of the framework's validation
    errors: `InvalidInput({"query.cursor": "not a cursor from a previous page"})`."""

    status = 422
    title = "Invalid request"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = [{"field": field, "message": message} for field, message in errors.items()]
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused with another request body."""

    status = 422
    title = "Invalid request"


class Problem(BaseModel):
    """RFC 9457 problem details; validation problems list each field's error."""

    type: str = Field("about:blank", description="always about:blank: the status says it")
    title: str = Field(description="the status in words")
    status: int = Field(description="the HTTP status")
    detail: str = Field(description="what was wrong, naming the field or resource")
    errors: list[dict[str, str]] | None = Field(
        None, description="validation only: one {field, message} per invalid field"
    )


_PROBLEM_SCHEMA = Problem.model_json_schema()
PROBLEM_STATUSES = {
    401: "no API key or an unknown one (when keys are configured)",
    404: "no such resource, or it belongs to another API key",
    406: "none of the media types in Accept can be served",
    409: "the job or experiment has already ended, or (DELETE) still has running jobs",
    413: "the request body is too large",
    415: "the request body is not JSON",
    422: "invalid input: each error names the field and what is allowed",
    429: "over a per-key limit (requests, active jobs, open event streams); see Retry-After",
    500: "an unexpected error (no internals are shown)",
    503: "the database does not answer, or this server holds its most event streams; see "
    "Retry-After",
}


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for every problem response, as application/problem+json."""
    return {
        status: {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}},
        }
        for status, description in PROBLEM_STATUSES.items()
    }


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """An `application/problem+json` response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(loc: tuple[int | str, ...]) -> str:
    """`('body', 'base', 'preprocessing', 'method')` -> `base.preprocessing.method`."""
    parts = [str(part) for part in loc[1:]] if loc and loc[0] == "body" else map(str, loc)
    return ".".join(parts) or "body"


def _error_item(item: Any) -> dict[str, str]:
    if item["type"] == "json_invalid":  # its location is a character offset: name the body
        reason = item.get("ctx", {}).get("error", "")
        return {"field": "body", "message": f"malformed JSON: {reason}".rstrip(": ")}
    return {"field": field_path(tuple(item["loc"])), "message": item["msg"]}


def invalid(errors: list[dict[str, str]]) -> JSONResponse:
    """The 422 problem listing each field's error."""
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in errors)
    return problem(422, "Invalid request", detail, errors=errors)


def _validation_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return invalid([_error_item(item) for item in error.errors()])


def _domain_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, InvalidInput):
        return invalid(error.errors)
    return problem(error.status, error.title, error.detail, error.headers)


def _http_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:  # the framework's only 400: a body its JSON parser gave up on
        return invalid([{"field": "body", "message": UNREADABLE_BODY}])
    title = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, "Error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(error.status_code, title, str(error.detail), headers)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path answers: the router's 405 names only the first
    route's, and each method of a path is a route of its own."""
    routes = request.app.router.routes
    methods = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return sorted([*methods, "HEAD"] if "GET" in methods else methods)


def is_unavailable(error: BaseException) -> bool:
    """Whether a database error means the database is out of reach (not a bug of ours)."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _database_problem(request: Request, error: Exception) -> JSONResponse:
    if not is_unavailable(error):  # handled here, so Starlette will not log it: log it
        log.error("database error on %s %s", request.method, request.url.path, exc_info=error)
        return _unexpected_problem(request, error)
    # The driver's text names hosts, ports and databases: it goes to the log only.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    headers = {"Retry-After": str(DATABASE_RETRY_SECONDS)}
    return problem(503, "Service unavailable", "database unavailable", headers)


def _unexpected_problem(request: Request, error: Exception) -> JSONResponse:
    # The traceback goes to the server log (Starlette logs it); the client gets no internals.
    return problem(500, "Internal server error", "an unexpected error occurred")


def install_handlers(app: FastAPI) -> None:
    """Render every error as problem details; no response ever carries a traceback."""
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(DomainError, _domain_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(DBAPIError, _database_problem)
    app.add_exception_handler(PoolTimeout, _database_problem)
    app.add_exception_handler(Exception, _unexpected_problem)
