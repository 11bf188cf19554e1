"""Several hosts on one machine: network namespaces, each with its own name and its own link to
one switch, which can be cut and restored. Needs root."""

import os
import signal
import subprocess
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from harness.processes import stop

ROOT = Path(__file__).resolve().parents[1]  # where every host runs the service's code from
SUBNET = "10.231.0"  # inside the namespaces only: no route leads there from anywhere else


def ip(*args: str) -> None:
    """Run one `ip` command; fail loudly."""
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass
class Host:
    """A namespace with one link to the switch, an address and a host name of its own."""

    name: str
    namespace: str
    address: str
    port: str  # its link's end on the switch
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, argv: list[str]) -> list[str]:
        """`argv` as run on this host: in its namespace, under its own host name."""
        naming = 'hostname "$0" && exec "$@"'
        enter = ["ip", "netns", "exec", self.namespace, "unshare", "--uts", "--"]
        return [*enter, "sh", "-c", naming, self.name, *argv]

    def start(
        self, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
    ) -> subprocess.Popen[bytes]:
        """Start a process on this host, its output appended to `log`; stopped at teardown."""
        with log.open("ab") as out:
            child = subprocess.Popen(
                self.command(argv),
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(child)
        return child

    def run(self, argv: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
        """Run a command on this host to its end; its output, or an error with it."""
        done = subprocess.run(self.command(argv), cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} on {self.name}: {done.stdout}{done.stderr}")
        return done.stdout


class Lan:
    """A switch (a bridge in a namespace of its own) and the hosts plugged into it."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.switch = f"nl{self.tag}-lan"
        self.hosts: list[Host] = []
        ip("netns", "add", self.switch)
        try:
            ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            ip("-n", self.switch, "link", "set", "br0", "up")
        except subprocess.CalledProcessError:
            self.close()
            raise

    def add_host(self, name: str) -> Host:
        """A new host on the switch, at the next address."""
        number = len(self.hosts) + 2
        host = Host(name, f"nl{self.tag}-{name}", f"{SUBNET}.{number}", f"v{self.tag}-{number}")
        ip("netns", "add", host.namespace)
        self.hosts.append(host)  # from here on, close() deletes it
        switch = ["-n", self.switch, "link"]
        peer = ["peer", "name", "eth0", "netns", host.namespace]
        ip(*switch, "add", host.port, "type", "veth", *peer)
        ip(*switch, "set", host.port, "master", "br0", "up")
        ip("-n", host.namespace, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", host.namespace, "link", "set", "eth0", "up")
        ip("-n", host.namespace, "link", "set", "lo", "up")
        return host

    def cut(self, host: Host) -> None:
        """Unplug the host's link at the switch: its packets go nowhere, as with a cut cable."""
        ip("-n", self.switch, "link", "set", host.port, "down")

    def restore(self, host: Host) -> None:
        """Plug the host's link in again."""
        ip("-n", self.switch, "link", "set", host.port, "up")

    def close(self) -> None:
        """Stop every process started on the hosts, and any left in their namespaces; delete
        the namespaces."""
        for host in reversed(self.hosts):
            for child in reversed(host.processes):
                stop(child, timeout=20)
            _kill_remaining(host.namespace)
        for namespace in [host.namespace for host in self.hosts] + [self.switch]:
            with suppress(subprocess.CalledProcessError):
                ip("netns", "del", namespace)


def _kill_remaining(namespace: str) -> None:
    # Only processes of this namespace, which this Lan made: whatever its processes left behind.
    listed = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True)
    for pid in listed.stdout.split():
        with suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
