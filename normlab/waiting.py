"""Following an experiment to its end behind one progress bar (rich: a terminal or a notebook)."""

import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from normlab.progress import ExperimentProgress

# ETA from the epochs of the last few minutes, not only the last 30 s rich uses by default:
# epochs land every few seconds and jobs start one after another.
SPEED_PERIOD_SECONDS = 300.0


def overall_bar(console: Console, disable: bool = False) -> Progress:
    """A bar of finished epochs over all jobs, with the jobs ended and the time remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("epochs, {task.fields[ended]}/{task.fields[jobs]} jobs ended"),
        TimeRemainingColumn(),
        console=console,
        expand=True,
        speed_estimate_period=SPEED_PERIOD_SECONDS,
        disable=disable,
    )


def update_overall(bar: Progress, task: Any, board: ExperimentProgress) -> None:
    """Set the bar to the board's totals."""
    bar.update(
        task,
        completed=board.epochs_done,
        total=board.epochs_planned,
        ended=board.ended,
        jobs=len(board.jobs),
    )


def follow_with_bar(
    board: ExperimentProgress, events: Iterable[tuple[str, dict[str, Any]]], show: bool
) -> None:
    """Apply every event to the board until the stream ends, drawing the bar where one can be
    drawn (a terminal or a notebook; never into a file or a pipe)."""
    console = Console(stderr=True)
    drawable = console.is_jupyter or sys.stderr.isatty()
    bar = overall_bar(console, disable=not (show and drawable))
    task = bar.add_task(
        f"experiment {board.id}",
        completed=board.epochs_done,
        total=board.epochs_planned,
        ended=board.ended,
        jobs=len(board.jobs),
    )
    with bar:
        for kind, data in events:
            board.apply(kind, data)
            update_overall(bar, task, board)
