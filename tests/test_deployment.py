"""docker-compose.yml and the Dockerfile, checked by reading them (no Docker engine runs here)."""

import importlib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("migrate", "api", "worker", "maintenance")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The parsed compose file."""
    parsed: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return parsed


def test_services_are_postgres_redis_migrate_api_worker(compose: dict[str, Any]) -> None:
    services = {"postgres", "redis", "migrate", "api", "worker", "maintenance", "flower"}
    assert set(compose["services"]) == services
    flower = compose["services"]["flower"]
    assert flower["profiles"] == ["flower"]  # optional: only with --profile flower
    assert "--broker=redis://redis:6379/0" in flower["command"]


def test_api_worker_and_migrate_share_one_image_and_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {services[name]["image"] for name in APP_SERVICES} == {"normlab:latest"}
    assert {services[name]["build"] for name in APP_SERVICES} == {"."}
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://normlab:")
        assert env["DATABASE_URL"].endswith("@postgres:5432/normlab")
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_migration_runs_alembic_once_and_the_others_wait_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker", "maintenance"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["postgres"]["condition"] == "service_healthy"
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def test_commands_name_modules_that_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    api = services["api"]["command"]
    assert api[:3] == ["python", "-m", "api.serve"]  # as make run starts it
    worker = services["worker"]["command"]
    assert worker[:5] == ["celery", "--quiet", "-A", "worker.celery_app", "worker"]
    assert hasattr(importlib.import_module("api.serve"), "main")
    assert hasattr(importlib.import_module("worker.celery_app"), "app")


def test_maintenance_runs_beat_on_its_own_queue(compose: dict[str, Any]) -> None:
    command = compose["services"]["maintenance"]["command"]
    assert command[:5] == ["celery", "--quiet", "-A", "worker.celery_app", "worker"]
    assert "--beat" in command
    assert command[command.index("--queues") + 1] == "normlab.maintenance"
    assert command[command.index("--pool") + 1] == "solo"


def test_worker_can_be_scaled(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    for pinned in ("container_name", "ports", "hostname"):
        assert pinned not in worker


def test_database_password_and_api_keys_must_be_given(compose: dict[str, Any]) -> None:
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    for name in APP_SERVICES:
        keys = compose["services"][name]["environment"]["NORMLAB_API_KEYS"]
        assert keys.startswith("${NORMLAB_API_KEYS:?")


def test_image_installs_pinned_requirements_and_the_dataset_and_all_packages() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt -c constraints.txt" in dockerfile
    assert "dataset-fashion-mnist" in dockerfile
    for package in ("models", "migrations", "api", "worker"):
        assert f"COPY {package} ./{package}" in dockerfile
    pins = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert all("==" in line for line in pins)


def _installed_by(requirements: Path) -> set[str]:
    """The distributions a requirements file installs: its own, their extras and everything
    they require in turn, read from the metadata of what is installed here."""
    lines = requirements.read_text().splitlines()
    pending = [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        for line in metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                pending.append(needed)
    return {name for name, _ in seen}


def test_the_image_installs_the_postgresql_driver_and_no_test_tool() -> None:
    runtime = _installed_by(ROOT / "requirements.txt")
    assert {"sqlalchemy", "psycopg", "psycopg-binary"} <= runtime
    assert not {"playwright", "pytest", "schemathesis"} & runtime


def test_workers_default_to_two_trainings_with_one_thread_each(compose: dict[str, Any]) -> None:
    from models.settings import Settings
    from worker.celery_app import app

    settings = Settings()
    assert (settings.worker_concurrency, settings.tf_threads) == (2, 1)
    assert app.conf.worker_concurrency == settings.worker_concurrency
    assert "--concurrency" not in compose["services"]["worker"]["command"]  # taken from settings
    assert "--concurrency" not in (ROOT / "scripts" / "run.sh").read_text()


SERVICE_PACKAGES = ("models", "analysis", "api", "worker", "migrations")


def test_the_image_and_make_run_keep_every_service_package_importable_by_tasks() -> None:
    # Celery adds the working directory to the path only while it loads the app; a task that
    # imports a package the app did not load (analysis) needs the tree on the path for good.
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in SERVICE_PACKAGES:
        assert f"COPY {package} ./{package}" in dockerfile
    assert "ENV PYTHONPATH=/app" in dockerfile
    run = (ROOT / "scripts" / "run.sh").read_text()
    assert run.count("python -m celery") == 2
    assert "bin/celery" not in run


def test_every_start_of_the_api_goes_through_api_serve(compose: dict[str, Any]) -> None:
    # api.serve hands uvicorn the proxies to believe: uvicorn started directly would believe
    # X-Forwarded-For from 127.0.0.1 and let a local client pick its throttled address.
    starts = {
        "scripts/run.sh": (ROOT / "scripts" / "run.sh").read_text(),
        "harness/service.py": (ROOT / "harness" / "service.py").read_text(),
        "README.md": (ROOT / "README.md").read_text(),
        **{f"docs/{doc.name}": doc.read_text() for doc in (ROOT / "docs").glob("*.md")},
    }
    assert "-m api.serve" in starts["scripts/run.sh"]
    assert '"api.serve"' in starts["harness/service.py"]
    for where, text in starts.items():
        assert "uvicorn api.main" not in text, where
        assert '"uvicorn"' not in text, where
    proxies = compose["x-app"]["environment"]["NORMLAB_FORWARDED_ALLOW_IPS"]
    assert proxies == "${NORMLAB_FORWARDED_ALLOW_IPS:-}"  # none unless the operator names some
