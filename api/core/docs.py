"""The app's own static files, /docs and /redoc built on them (they work without internet), the
favicon, and `/`, which points a browser at the pages and an API client at the documentation.

The vendored libraries (api/static/vendor, each with its licence) are listed in docs/clients.md.
"""

from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.core.negotiation import prefers_html

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
STATIC_URL = "/static"
VENDOR = f"{STATIC_URL}/vendor"
FAVICON = f"{VENDOR}/swagger-ui/favicon-32x32.png"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
# The pages of the documentation; with API keys configured they need a key as well.
DOC_PATHS = frozenset({"/docs", "/redoc", OAUTH2_REDIRECT})
PAGES = "/ui/experiments"
# The Redoc bundle fetches the logo of its "API docs by Redocly" link from a CDN: it is served
# with that one address pointing at the docs' own icon instead, so /redoc fetches nothing from
# another host.
REDOC_BUNDLE = STATIC_DIR / "vendor" / "redoc" / "redoc.standalone.js"
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
REDOC_JS = "/redoc/redoc.standalone.js"


@cache
def redoc_bundle() -> bytes:
    """The vendored Redoc bundle with its CDN logo replaced by the local icon."""
    return REDOC_BUNDLE.read_text().replace(REDOC_CDN_LOGO, FAVICON).encode()


def install_docs(app: FastAPI) -> None:
    """Mount the static files and serve /docs, /redoc, the favicon and `/` (create the app
    with `docs_url=None, redoc_url=None`)."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        """A browser goes to the pages; an API client is told where the documentation is."""
        if prefers_html(request):
            return RedirectResponse(PAGES, status_code=303)
        links = {"docs": "/docs", "redoc": "/redoc", "openapi": openapi_url, "pages": PAGES}
        service_links = f'</docs>; rel="service-doc", <{openapi_url}>; rel="service-desc"'
        return JSONResponse(links, headers={"Link": service_links})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / FAVICON.removeprefix(f"{STATIC_URL}/"))

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript")

    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API",
            swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=OAUTH2_REDIRECT,
            # No validator badge: it would send the schema to an outside host.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
