"""`make scale-demo`: the service on several hosts (harness.cluster), one worker host cut off in
the middle of a job and later plugged in again; one closing line of what became of the jobs.

The orchestrator (root's namespace) builds the hosts; the driver runs on the client host and
reaches the API and the database only over its own link, as any client would.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from harness.cluster import PG_BIN, Cluster, running_cluster
from harness.netns import ip

T = TypeVar("T")
CUT_HOST = "worker-b"
JOBS = 40
# Real settings, set for the demo: a host silent for 20 s is presumed lost (the default, 120 s,
# would only make the demo longer); the reaper and the relay run every 2 s.
SETTINGS = {
    "NORMLAB_WORKER_CONCURRENCY": "1",
    "NORMLAB_TF_THREADS": "1",
    "NORMLAB_STALE_SECONDS": "20",
    "NORMLAB_MAINTENANCE_SECONDS": "2",
    "NORMLAB_RELAY_GRACE_SECONDS": "5",
}
SPEC = {
    "name": "scale demo",
    "base": {
        "dataset": {"train_size": 2000, "test_size": 500},
        "training": {"epochs": 4},
    },
    "grid": {"training.learning_rate": [0.001, 0.002, 0.005, 0.01]},
    "seeds": list(range(JOBS // 4)),
}


def run(logs: Path) -> dict[str, Any]:
    """Build the deployment, drive the scenario from the client host, tear it all down; the
    driver's figures."""
    with running_cluster(logs, SETTINGS) as cluster:
        driver = cluster.client.run(_driver_command(cluster), {"PATH": "/usr/bin:/bin"})
    figures: dict[str, Any] = json.loads(driver.splitlines()[-1])
    return figures


def unavailable() -> str | None:
    """Why the demo cannot run on this machine, if it cannot: it needs root and the tools."""
    if os.geteuid() != 0:
        return "the scale demo makes network namespaces: it needs root"
    tools = ("ip", "unshare", "setpriv", "psql", "redis-server", "redis-cli")
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing or not (PG_BIN / "initdb").exists():
        return f"the scale demo needs {', '.join(missing) or 'initdb'} (scripts/ensure-hosts.sh)"
    return None


def _driver_command(cluster: Cluster) -> list[str]:
    cut = next(host for host in cluster.workers if host.name == CUT_HOST)
    arguments = [cluster.api_url, cluster.database_url, cluster.lan.switch, cut.port]
    return [sys.executable, "-m", "harness.scale_drive", *arguments]


def closing_line(figures: dict[str, Any]) -> str:
    """`jobs N, succeeded N, lost 0, run twice 0, recovered in S s`."""
    return (
        f"jobs {figures['jobs']}, succeeded {figures['succeeded']}, lost {figures['lost']}, "
        f"run twice {figures['run_twice']}, recovered in {figures['recovered_seconds']:.1f} s"
    )


def wait_until(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll `check` until it returns something; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (value := check()) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
    return value


def set_link(switch: str, port: str, up: bool) -> None:
    """Plug a host's link at the switch in, or pull it out."""
    ip("-n", switch, "link", "set", port, "up" if up else "down")


def main() -> None:
    """Run the demo; print the logs' directory and the closing line."""
    reason = unavailable()
    if reason is not None:
        print(f"scale demo: {reason}", file=sys.stderr)
        sys.exit(1)
    logs = Path(tempfile.mkdtemp(prefix="normlab-scale-logs-"))
    print(f"logs in {logs}", file=sys.stderr)
    try:
        figures = run(logs)
    except (RuntimeError, subprocess.CalledProcessError, AssertionError) as error:
        print(f"scale demo failed: {error}", file=sys.stderr)
        sys.exit(1)
    print(closing_line(figures))


if __name__ == "__main__":
    main()
