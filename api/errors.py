"""Domain errors that carry their HTTP status, rendered as RFC 9457 problem details."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """An error a service raises for the client; its status and title go on the response."""

    status: int = 400
    title: str = "Bad request"

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


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused with another request body."""

    status = 422
    title = "Invalid request"


class Problem(BaseModel):
    """RFC 9457 problem details; validation problems list each field's error."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


_PROBLEM_SCHEMA = Problem.model_json_schema()
PROBLEM_STATUSES = {
    401: "no API key or an unknown one (when keys are configured)",
    404: "no such resource, or it belongs to another API key",
    409: "the job or experiment has already ended, or (DELETE) still has running jobs",
    413: "the request body is too large",
    415: "the request body is not JSON",
    422: "invalid input: each error names the field and what is allowed",
    429: "over a per-key limit; see Retry-After",
    500: "an unexpected error (no internals are shown)",
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


def _validation_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": field_path(tuple(item["loc"])), "message": item["msg"]} for item in error.errors()
    ]
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in errors)
    return problem(422, "Invalid request", detail, errors=errors)


def _domain_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return problem(error.status, error.title, error.detail, error.headers)


def _http_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, "Error")
    return problem(error.status_code, title, str(error.detail), dict(error.headers or {}))


def _unexpected_problem(request: Request, error: Exception) -> JSONResponse:
    # The traceback goes to the server log (Starlette logs it); the client gets no internals.
    return problem(500, "Internal server error", "an unexpected error occurred")


def install_handlers(app: FastAPI) -> None:
    """Render every error as problem details; no response ever carries a traceback."""
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(DomainError, _domain_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(Exception, _unexpected_problem)
