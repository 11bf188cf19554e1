"""The API documentation: served without internet, every field described, every request shown."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.core.docs import FAVICON, REDOC_CDN_LOGO, REDOC_JS, STATIC_DIR

URLS = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


def referenced(html: str) -> list[str]:
    """Every URL the page's markup and inline script point at."""
    return [first or second for first, second in URLS.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_from_the_app_itself(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert "//" not in response.text.replace("http://www.w3.org", "")  # no other host at all
    urls = referenced(response.text)
    assert any(url.endswith(".js") for url in urls)
    for url in urls:
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url


def test_the_redoc_bundle_fetches_nothing_from_another_host(client: TestClient) -> None:
    vendored = (STATIC_DIR / "vendor" / "redoc" / "redoc.standalone.js").read_text()
    assert REDOC_CDN_LOGO in vendored  # the one outside address: still there to replace
    served = client.get(REDOC_JS)
    assert served.status_code == 200
    assert "cdn." not in served.text
    assert f'src:"{FAVICON}"' in served.text
    assert client.get(FAVICON).headers["content-type"] == "image/png"


def test_every_page_has_a_favicon_served_here(client: TestClient) -> None:
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert favicon.headers["content-type"] == "image/png"
    for page in ("/docs", "/redoc", "/ui/experiments"):
        icons = re.findall(
            r'<link rel="(?:shortcut )?icon"[^>]* href="([^"]+)"', client.get(page).text
        )
        assert icons, page
        assert all(client.get(icon).status_code == 200 for icon in icons), page


def test_root_sends_a_browser_to_the_pages_and_an_api_client_to_the_docs(
    client: TestClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    redirected = client.get("/", headers=browser, follow_redirects=False)
    assert redirected.status_code == 303
    assert redirected.headers["location"] == "/ui/experiments"
    assert client.get("/", headers=browser).status_code == 200  # the page itself
    for accept in ("application/json", "*/*"):
        answer = client.get("/", headers={"Accept": accept})
        assert answer.status_code == 200
        links = answer.json()
        assert links["docs"] == "/docs"
        assert '</docs>; rel="service-doc"' in answer.headers["link"]
        for path in links.values():
            assert client.get(path).status_code == 200, path


def test_vendored_libraries_ship_with_their_licences(client: TestClient) -> None:
    for library, licence in (
        ("chartjs", "LICENSE.md"),
        ("swagger-ui", "LICENSE"),
        ("redoc", "LICENSE"),
    ):
        response = client.get(f"/static/vendor/{library}/{licence}")
        assert response.status_code == 200
        assert "License" in response.text


def walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object with properties in an OpenAPI document, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def test_every_schema_property_has_a_description(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    missing = [
        f"{path}.{name}"
        for path, schema in walk(document)
        for name, field in schema["properties"].items()
        if not field.get("description")
    ]
    assert missing == []


def test_every_request_body_has_an_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    bodies = [
        (f"{method.upper()} {path}", operation["requestBody"]["content"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert bodies
    for where, content in bodies:
        for media in content.values():
            schema = media["schema"]
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            assert media.get("example") or media.get("examples") or schema.get("examples"), where
