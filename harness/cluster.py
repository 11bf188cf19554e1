"""The service deployed on several hosts of one machine (harness.netns): a servers host
(PostgreSQL and Redis, with passwords, on its own address), an API host (migrations, two uvicorn
processes sharing one port, the maintenance worker) and training worker hosts that share nothing
but the code and the dataset package. Every process, namespace and data directory it makes is
removed on the way out, also on failure."""

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from harness.netns import SUBNET, Host, Lan
from harness.processes import wait_for

# Debian's PostgreSQL server binaries (package postgresql), of the newest version installed.
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/lib/postgresql/15/bin"))
AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
CELERY = [sys.executable, "-m", "celery", "--quiet", "-A", "worker.celery_app", "worker"]
CELERY_FLAGS = ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]
WORKERS = ("worker-a", "worker-b")
SERVER_ENV = {"PATH": os.environ["PATH"]}


@dataclass
class Cluster:
    """The hosts and the URLs every process of the deployment is given."""

    lan: Lan
    api: Host
    workers: list[Host]
    client: Host
    database_url: str
    redis_url: str
    api_url: str
    logs: Path


@contextmanager
def running_cluster(logs: Path, settings: dict[str, str]) -> Iterator[Cluster]:
    """Build the hosts, start the servers, the API and the workers; tear all down after."""
    lan = Lan()
    data = Path(tempfile.mkdtemp(prefix="normlab-scale-"))
    try:
        data.chmod(0o755)  # the postgres user reaches its cluster below
        servers, api = lan.add_host("servers"), lan.add_host("api")
        workers = [lan.add_host(name) for name in WORKERS]
        client = lan.add_host("client")
        secret = secrets.token_hex(16)
        database_url = _start_postgres(servers, data / "postgres", secret, logs)
        redis_url = _start_redis(servers, data / "redis", secret, logs)
        api_url = f"http://{api.address}:8000"
        cluster = Cluster(lan, api, workers, client, database_url, redis_url, api_url, logs)
        _start_service(cluster, data, settings)
        yield cluster
    finally:
        lan.close()
        shutil.rmtree(data, ignore_errors=True)


def _start_postgres(host: Host, directory: Path, secret: str, logs: Path) -> str:
    """A cluster of its own listening on the host's address; its database and role, with a
    password. The URL the service's processes get."""
    cluster = _init_postgres(directory, host, secret)
    server = [str(PG_BIN / "postgres"), "-D", str(cluster), "-c"]
    server += [f"listen_addresses={host.address}", "-c", f"unix_socket_directories={directory}"]
    host.start([*AS_POSTGRES, *server], SERVER_ENV, logs / "postgres.log", cwd=directory)
    ready = [str(PG_BIN / "pg_isready"), "-q", "-U", "postgres", "-h", str(directory)]
    wait_for(partial(_succeeds, host, ready, directory), 120, "PostgreSQL to accept connections")
    psql = [*AS_POSTGRES, str(PG_BIN / "psql"), "-q", "-h", str(directory), "-c"]
    host.run([*psql, f"CREATE ROLE normlab LOGIN PASSWORD '{secret}'"], SERVER_ENV, directory)
    host.run([*psql, "CREATE DATABASE normlab OWNER normlab"], SERVER_ENV, directory)
    return f"postgresql://normlab:{secret}@{host.address}:5432/normlab"


def _init_postgres(directory: Path, host: Host, secret: str) -> Path:
    """initdb as the postgres user: UTF-8, passwords for every connection over the network."""
    directory.mkdir()
    (directory / "pw").write_text(secret)
    for path in (directory, directory / "pw"):
        shutil.chown(path, "postgres", "postgres")
    cluster = directory / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(cluster), "-U", "postgres", "-E", "UTF8"]
    initdb += ["--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"]
    host.run([*AS_POSTGRES, *initdb, f"--pwfile={directory / 'pw'}"], SERVER_ENV, directory)
    with (cluster / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {SUBNET}.0/24 scram-sha-256\n")
    return cluster


def _start_redis(host: Host, directory: Path, secret: str, logs: Path) -> str:
    """redis-server on the host's address, with a password, appending to its own file."""
    directory.mkdir()
    server = ["redis-server", "--bind", host.address, "--requirepass", secret]
    server += ["--dir", str(directory), "--appendonly", "yes", "--save", ""]
    host.start(server, SERVER_ENV, logs / "redis.log", cwd=directory)
    ping = ["redis-cli", "-h", host.address, "--no-auth-warning", "-a", secret, "ping"]
    wait_for(partial(_succeeds, host, ping, directory), 60, "Redis to answer")
    return f"redis://:{secret}@{host.address}:6379/0"


def _succeeds(host: Host, argv: list[str], cwd: Path) -> bool | None:
    try:
        host.run(argv, SERVER_ENV, cwd)
    except RuntimeError:
        return None
    return True


def host_env(cluster: Cluster, home: Path, settings: dict[str, str]) -> dict[str, str]:
    """What a host of the service is given: the servers' URLs, its own home, the settings."""
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TMPDIR": str(home),
        "DATABASE_URL": cluster.database_url,
        "REDIS_URL": cluster.redis_url,
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


def _start_service(cluster: Cluster, data: Path, settings: dict[str, str]) -> None:
    """The migration, the API (two processes on one port) and the maintenance worker on the
    API host; a training worker on each worker host; until every worker is ready."""
    api, logs = cluster.api, cluster.logs
    env = host_env(cluster, data / "api", settings)
    api.run([sys.executable, "-m", "alembic", "upgrade", "head"], env)
    serve = [sys.executable, "-m", "api.serve", "--host", api.address, "--port", "8000"]
    api.start([*serve, "--workers", "2"], env, logs / "api.log")
    beat = [
        "--pool",
        "solo",
        "--beat",
        "--queues",
        "normlab.maintenance",
        "--hostname",
        "maintenance@%h",
    ]
    beat += ["--schedule", str(data / "api" / "beat")]
    api.start([*CELERY, *beat, *CELERY_FLAGS], env, logs / "maintenance.log")
    for worker in cluster.workers:
        env = host_env(cluster, data / worker.name, settings)
        log = logs / f"{worker.name}.log"
        worker.start([*CELERY, "--hostname", "normlab@%h", *CELERY_FLAGS], env, log)
    for worker in cluster.workers:
        log = logs / f"{worker.name}.log"
        wait_for(partial(_ready, log), 300, f"{worker.name} to be ready")


def _ready(log: Path) -> bool | None:
    return True if " ready." in log.read_text(errors="replace") else None
