"""HTTP to the normlab API: JSON requests, problem details as errors, the event stream.

Standard library only, so the command line starts fast and the client installs anywhere.
"""

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class ApiError(RuntimeError):
    """The API answered with an error, or could not be reached (then `status` is None).

    An answer's RFC 9457 problem detail is kept: `status`, `title`, `detail`, and `errors`, one
    `{"field", "message"}` per invalid field of a 422 (empty otherwise). `str()` is
    "STATUS: detail"."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.detail = message.removeprefix(f"{status}: ") if status is not None else message
        self.errors = errors or []


@dataclass(frozen=True)
class Transport:
    """Where the API is, and the key to present."""

    url: str
    key: str | None = None

    def __post_init__(self) -> None:
        # Only HTTP(S): urllib would also open file: and other schemes.
        if not self.url.startswith(("http://", "https://")) or len(self.url.split("/")[2]) == 0:
            raise ApiError(f"the API's URL must be http://HOST or https://HOST, not {self.url!r}")

    def _request(
        self, method: str, path: str, body: Any = None, accept: str = "application/json"
    ) -> urllib.request.Request:
        headers = {"Accept": accept}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        url = self.url.rstrip("/") + path  # scheme checked in __post_init__
        return urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON request; ApiError with the problem's detail when it fails."""
        text = self.text(method, path, body)
        try:
            return json.loads(text)
        except ValueError:
            raise ApiError(f"{self.url} did not answer JSON: is it the normlab API?") from None

    def text(
        self, method: str, path: str, body: Any = None, accept: str = "application/json"
    ) -> str:
        """One request's body as text."""
        with self._open(self._request(method, path, body, accept), timeout=60) as response:
            return self._read(lambda: str(response.read().decode()))

    def events(self, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event, data) pairs of a Server-Sent Events stream until it ends."""
        request = self._request("GET", path, accept="text/event-stream")
        with self._open(request, timeout=3600) as response:
            kind, data = "message", ""
            while raw := self._read(response.readline):
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    yield kind, json.loads(data)
                    kind, data = "message", ""

    def _open(self, request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(  # noqa: S310
                request, timeout=timeout
            )
        except urllib.error.HTTPError as error:
            raise _problem(error) from None
        except urllib.error.URLError as error:
            raise ApiError(f"cannot reach {self.url}: {error.reason}") from None
        except (OSError, ValueError) as error:  # a bad port or host, a reset connection
            raise ApiError(f"cannot reach {self.url}: {error}") from None
        return response

    def _read(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except (OSError, http.client.HTTPException) as error:
            raise ApiError(f"lost the connection to {self.url}: {error}") from None


def _problem(error: urllib.error.HTTPError) -> ApiError:
    """The error an HTTP error answer makes, with its problem detail when it has one."""
    try:
        problem = json.loads(error.read())
        detail, title = str(problem["detail"]), str(problem.get("title") or error.reason)
        errors = [dict(item) for item in problem.get("errors") or []]
    except (ValueError, KeyError, TypeError, AttributeError):
        return ApiError(f"{error.code}: {error.reason}", status=error.code, title=error.reason)
    return ApiError(f"{error.code}: {detail}", status=error.code, title=title, errors=errors)
