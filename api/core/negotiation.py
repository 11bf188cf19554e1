"""Content negotiation: whether a request asks for a page or for JSON."""

from fastapi import Request


def prefers_html(request: Request) -> bool:
    """Whether the client asks for HTML before JSON (a browser does; curl does not)."""
    accept = request.headers.get("accept", "")
    html, json_ = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json_ < 0 or html < json_)
