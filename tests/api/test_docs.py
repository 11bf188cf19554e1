"""The API documentation: served without internet, every field described, every request shown."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

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
