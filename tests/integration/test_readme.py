"""The README's shell and Python examples, run in order against a real service on a new
database, as a reader who follows it from the top would run them."""

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
# What the README assumes, and what the suite's service has instead.
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
    """A new SQLite database, as `make run` makes on a first start: the README's ids hold."""
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


def run_group(group: list[Block], url: str, database_url: str, workdir: Path) -> str | None:
    """Run one shell block, or one section's Python cells as one program; what went wrong."""
    code = "\n".join(adapted(block.code, url, database_url) for block in group)
    script = (
        workdir / f"readme-line-{group[0].line}.{'py' if group[0].language == 'python' else 'sh'}"
    )
    if group[0].language == "python":
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
    lines = [f"README line {b.line} ({b.section})" for b in group]
    output = f"{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
    return f"{', '.join(lines)}: exit status {result.returncode}\n{output}"


def test_every_example_runs_or_says_why_not() -> None:
    found = blocks(README)
    examples = [block for block in found if block.language in RUN_LANGUAGES.values()]
    assert len([block for block in examples if block.runs]) >= 8
    for block in examples:
        assert block.runs or block.not_run, f"README line {block.line}: a marker needs a reason"


def test_readme_examples_run_against_a_real_service(
    readme_service: Service, readme_database: str, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{readme_service.port}"
    failures = []
    for group in notebooks(blocks(README)):
        failure = run_group(group, url, readme_database, tmp_path)
        if failure is not None:
            failures.append(failure)
    assert not failures, "\n\n".join(failures)
