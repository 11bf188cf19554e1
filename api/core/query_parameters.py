"""Every query parameter is read or refused: a name the route does not declare is a 422.

One dependency for the whole app compares the request's query keys with the parameters the
matched route declares (its own and its dependencies'); a route that reads free-form items
itself (the filter grammar of `GET /jobs`) is marked with `free_form` and checks them there.
"""

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.core.errors import InvalidInput

F = TypeVar("F", bound=Callable[..., Any])
_FREE_FORM: set[Callable[..., Any]] = set()


def free_form(endpoint: F) -> F:
    """Mark a route that validates the items of its query string itself."""
    _FREE_FORM.add(endpoint)
    return endpoint


def _query_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a model of parameters
            yield from (field.alias or name for name, field in model.model_fields.items())
        else:
            yield param.alias
    for dependency in dependant.dependencies:
        yield from _query_names(dependency)


_CACHED = "normlab_query_names"


def declared(route: APIRoute) -> frozenset[str] | None:
    """The query parameters a route reads; None if it reads free-form items."""
    if route.endpoint in _FREE_FORM:
        return None
    if _CACHED not in vars(route):  # routes are not hashable: the route keeps its own
        setattr(route, _CACHED, frozenset(_query_names(route.dependant)))
    names: frozenset[str] = getattr(route, _CACHED)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A 422 naming each query parameter the matched route does not declare."""
    route = request.scope.get("route")
    if not request.scope.get("query_string") or not isinstance(route, APIRoute):
        return
    allowed = declared(route)
    if allowed is None:
        return
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        hint = f"allowed: {', '.join(sorted(allowed))}" if allowed else "none are allowed"
        message = f"unknown query parameter; {hint}"
        raise InvalidInput(dict.fromkeys((f"query.{name}" for name in unknown), message))
