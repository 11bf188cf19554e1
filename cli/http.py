"""The CLI's HTTP: JSON requests, problem details as errors, and the event stream."""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class ApiError(RuntimeError):
    """The API answered with an error (its problem detail), or could not be reached."""


@dataclass(frozen=True)
class Client:
    """Where the API is, and the key to present."""

    url: str
    key: str | None = None

    def __post_init__(self) -> None:
        # Only HTTP(S): urllib would also open file: and other schemes.
        if not self.url.startswith(("http://", "https://")):
            raise ApiError(f"--url must be an http:// or https:// address, not {self.url!r}")

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
        return json.loads(self.text(method, path, body))

    def text(
        self, method: str, path: str, body: Any = None, accept: str = "application/json"
    ) -> str:
        """One request's body as text."""
        try:
            request = self._request(method, path, body, accept)
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return str(response.read().decode())
        except urllib.error.HTTPError as error:
            raise ApiError(_detail(error)) from None
        except urllib.error.URLError as error:
            raise ApiError(f"cannot reach {self.url}: {error.reason}") from None

    def events(self, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event, data) pairs of a Server-Sent Events stream until it ends."""
        try:
            request = self._request("GET", path, accept="text/event-stream")
            response = urllib.request.urlopen(request, timeout=3600)  # noqa: S310
        except urllib.error.HTTPError as error:
            raise ApiError(_detail(error)) from None
        with response:
            kind, data = "message", ""
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    yield kind, json.loads(data)
                    kind, data = "message", ""


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        return f"{error.code}: {json.loads(error.read())['detail']}"
    except (ValueError, KeyError):
        return f"{error.code}: {error.reason}"
