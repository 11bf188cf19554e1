"""The shell and Python examples of the README and of docs/, run in order against a real service
on a new database, as a reader who follows them from the top would run them."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.databases import TEST_REDIS_URL, sqlite_database
from harness.service import ROOT, Service, running_service
from tests.integration.readme import RUN_LANGUAGES, Block, blocks, notebooks

pytestmark = pytest.mark.integration
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# The README first: its walk-through makes experiment 1 and jobs 1 to 3, which the pages refer
# to. Then every page of docs/, in this order, on the same service and database.
DOCS_ORDER = (
    "api.md",
    "clients.md",
    "adaptive.md",
    "report.md",
    "diagnosis.md",
    "how-it-works.md",
    "deployment.md",
    "guarantees.md",
    "performance.md",
    "testing.md",
)
DOCUMENTS = (README, *(DOCS / name for name in DOCS_ORDER))
# What the examples assume, and what the suite's service has instead.
README_URL = "http://127.0.0.1:8000"
README_DATABASE = "sqlite:///var/normlab.sqlite3"
README_BIN = ".venv/bin/"
SHELL_PRELUDE = """set -euo pipefail
# A request the API refuses fails the example, as it would fail its reader.
curl() { command curl --fail-with-body --show-error "$@"; }
"""
BLOCK_TIMEOUT_SECONDS = 1200


@pytest.fixture(scope="module")
def readme_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new SQLite database, as `make run` makes on a first start: the examples' ids hold."""
    with sqlite_database(tmp_path_factory.mktemp("readme-db")) as url:
        yield url


@pytest.fixture(scope="module")
def readme_service(
    readme_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The API, a worker and the maintenance worker on that database."""
    logs = tmp_path_factory.mktemp("readme-logs")
    with running_service(readme_database, TEST_REDIS_URL, logs) as service:
        yield service


def adapted(code: str, url: str, database_url: str) -> str:
    """The example with the service's address, database and the virtualenv's scripts."""
    bin_dir = f"{Path(sys.executable).parent}/"
    return (
        code.replace(README_URL, url)
        .replace(README_DATABASE, database_url)
        .replace(README_BIN, bin_dir)
    )


def where(block: Block) -> str:
    """The block's file and line, as a reader finds it."""
    return f"{block.path.relative_to(ROOT)} line {block.line}"


def run_group(group: list[Block], url: str, database_url: str, workdir: Path) -> str | None:
    """Run one shell block, or one section's Python cells as one program; what went wrong."""
    code = "\n".join(adapted(block.code, url, database_url) for block in group)
    first = group[0]
    suffix = "py" if first.language == "python" else "sh"
    script = workdir / f"{first.path.stem}-line-{first.line}.{suffix}"
    if first.language == "python":
        script.write_text(code)
        argv = [sys.executable, str(script)]
    else:
        script.write_text(SHELL_PRELUDE + code)
        argv = ["bash", str(script)]
    env = {k: v for k, v in os.environ.items() if k != "NORMLAB_API_KEY"}
    env |= {
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),  # the tree's cli and normlab, whatever the venv installed
        "NORMLAB_URL": url,
    }
    result = subprocess.run(
        argv,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=BLOCK_TIMEOUT_SECONDS,
    )
    if result.returncode == 0:
        return None
    lines = [f"{where(b)} ({b.section})" for b in group]
    output = f"{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
    return f"{', '.join(lines)}: exit status {result.returncode}\n{output}"


def test_every_page_of_docs_has_its_place_in_the_order() -> None:
    assert sorted(path.name for path in DOCS.glob("*.md")) == sorted(DOCS_ORDER)


def test_every_example_runs_or_says_why_not() -> None:
    examples = [
        block
        for document in DOCUMENTS
        for block in blocks(document)
        if block.language in RUN_LANGUAGES.values()
    ]
    assert len([block for block in examples if block.runs]) >= 8
    assert any(block.runs for block in examples if block.path == README)  # the walk-through
    for block in examples:
        assert block.runs or block.not_run, f"{where(block)}: a marker needs a reason"


def test_examples_run_against_a_real_service(
    readme_service: Service, readme_database: str, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{readme_service.port}"
    failures = []
    for document in DOCUMENTS:
        for group in notebooks(blocks(document)):
            failure = run_group(group, url, readme_database, tmp_path)
            if failure is not None:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)
