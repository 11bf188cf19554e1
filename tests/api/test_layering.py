"""The API's layout holds: resources do not import each other's routes, and nothing in api/
imports the worker or TensorFlow."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
ROUTE_MODULES = {"routes", "curation_routes"}


def _imports(path: Path) -> set[str]:
    """The modules one source file imports, as dotted names (`from a import b` gives a.b too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def test_only_the_app_imports_route_modules() -> None:
    importers = {
        path.relative_to(API).as_posix()
        for path in API.rglob("*.py")
        if any(name.split(".")[-1] in ROUTE_MODULES for name in _imports(path))
    }
    assert importers == {"main.py"}


def test_the_cross_cutting_core_imports_no_resource() -> None:
    imported = {name for path in (API / "core").rglob("*.py") for name in _imports(path)}
    from_api = {name for name in imported if name.startswith("api.")}
    assert from_api
    assert all(name == "api.core" or name.startswith("api.core.") for name in from_api)


def test_nothing_in_the_api_imports_the_worker_or_tensorflow() -> None:
    roots = {name.split(".")[0] for path in API.rglob("*.py") for name in _imports(path)}
    assert {"api", "analysis", "models", "fastapi"} <= roots
    assert not {"worker", "tensorflow", "keras"} & roots
