"""Which process holds a claim: "host:pid", and whether that process provably no longer runs."""

import os
import socket
from pathlib import Path


def this_process() -> str:
    """What a claim records of the process that makes it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def this_host() -> str:
    """The part of a claim that names this host: "host:"."""
    return f"{socket.gethostname()}:"


def is_gone(claimed_by: str | None) -> bool:
    """Whether the process that claimed an attempt provably no longer runs: on this host, with
    no process of its pid. Another host's process, or an unknown one, may be alive."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of that pid exists, owned by someone else
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    # A process killed with its parent stays a zombie until whatever adopted it reaps it: it
    # still answers signal 0, but runs nothing.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"
