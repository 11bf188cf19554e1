"""A command in a pseudo-terminal of a given size, and the screen a VT emulator makes of it."""

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from dataclasses import dataclass

import pyte

from harness.service import ROOT

# Variables that would tell rich a size or a kind of terminal other than the pseudo-terminal's.
TERMINAL_OVERRIDES = ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")
# The emulator is wider than the terminal the program is told about, so a line the program
# writes past its width shows up past that column instead of wrapping out of sight.
EMULATOR_COLUMNS = 200


def terminal_env() -> dict[str, str]:
    """The environment of a user's terminal running the tree's command line and client."""
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_OVERRIDES}
    return env | {"TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}


@dataclass(frozen=True)
class Screen:
    """What a terminal shows at the end: lines scrolled off the top, then the visible rows."""

    scrolled: list[str]
    rows: list[str]
    output: bytes
    returncode: int

    @property
    def lines(self) -> list[str]:
        """Every line the terminal ever showed, top to bottom, trailing blanks removed."""
        return [line.rstrip() for line in self.scrolled + self.rows]

    def text(self) -> str:
        """The lines as one text, for assertion messages."""
        return "\n".join(self.lines)


def run_in_terminal(
    argv: list[str], env: dict[str, str], columns: int, rows: int, timeout: float
) -> Screen:
    """Run argv with a pseudo-terminal of `columns` x `rows` as its stdin, stdout and stderr."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    child = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    try:
        output = _read_all(leader, timeout)
        returncode = child.wait(timeout=timeout)
    finally:
        os.close(leader)
        if child.poll() is None:
            child.kill()
            child.wait()
    return _emulate(output, rows, returncode)


def _read_all(leader: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: every process holding the terminal has closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    else:
        raise AssertionError(f"the command did not end within {timeout:.0f} s")
    return b"".join(chunks)


def _emulate(output: bytes, rows: int, returncode: int) -> Screen:
    screen = pyte.HistoryScreen(EMULATOR_COLUMNS, rows, history=10_000)
    # A pty turns each "\n" into "\r\n" (onlcr), as a real terminal receives it.
    pyte.ByteStream(screen).feed(output)

    def text(line: dict[int, pyte.screens.Char]) -> str:
        return "".join(line[column].data for column in range(EMULATOR_COLUMNS))

    return Screen(
        scrolled=[text(line) for line in screen.history.top],
        rows=list(screen.display),
        output=output,
        returncode=returncode,
    )
