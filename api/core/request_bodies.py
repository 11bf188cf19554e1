"""Request bodies: at most `max_body_bytes` (413), and JSON when there is one (415)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import problem

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class BodyLimits:
    """ASGI middleware that reads a request body up to a cap before the app sees it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse oversized or non-JSON bodies; replay accepted bodies to the app."""
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        body, too_large = await self._read(receive)
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if too_large:
            response = problem(
                413, "Content too large", f"request bodies are limited to {self.max_bytes} bytes"
            )
        elif body and not _is_json(headers.get("content-type", "")):
            response = problem(415, "Unsupported media type", "send the body as application/json")
        else:
            await self.app(scope, _replay(body, receive), send)
            return
        await response(scope, receive, send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False


def _replay(body: bytes, original: Receive) -> Receive:
    """The body once, then the client's own messages (its disconnect, in time)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
