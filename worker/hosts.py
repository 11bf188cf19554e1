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
    return _is_dying(int(pid))


# The kernel's flag on a process that has begun to exit (include/linux/sched.h), and SIGKILL's
# bit in a pending-signal mask.
PF_EXITING = 0x4
SIGKILL_BIT = 1 << 8
PENDING = ("SigPnd:", "ShdPnd:")  # signals pending for the thread, and for the whole process


def _is_dying(pid: int) -> bool:
    # A killed process keeps its pid until it has been scheduled to exit, has torn down its
    # threads and memory and has been reaped by whatever adopted it; it runs nothing of its
    # own from the moment SIGKILL is pending.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return runs_nothing(stat, status)


def runs_nothing(stat: str, status: str) -> bool:
    """Whether /proc's stat and status texts describe a process that will run no more code of
    its own: a zombie, exiting, or with SIGKILL pending."""
    fields = stat.rpartition(")")[2].split()
    if fields[0] in ("Z", "X") or int(fields[6]) & PF_EXITING:
        return True
    masks = [line.split(":")[1] for line in status.splitlines() if line[:7] in PENDING]
    return any(int(mask, 16) & SIGKILL_BIT for mask in masks)
