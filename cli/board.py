"""The live display of `normlab watch`: a bar per job and one over all, sized to the terminal."""

from rich.console import Group, RenderableType
from rich.progress import Progress
from rich.progress_bar import ProgressBar
from rich.table import Column, Table
from rich.text import Text

from normlab.progress import ExperimentProgress, JobProgress

LABEL_WIDTH = 24
# Lines kept for the overall bar, the "more jobs" line and the cursor's line below the display.
RESERVED_LINES = 3
RANK = {"running": 0, "queued": 1}


def figures(job: JobProgress) -> str:
    """The job's latest train loss and accuracy, once it has an epoch."""
    if job.loss is None and job.accuracy is None:
        return ""
    loss = "nan" if job.loss is None else f"{job.loss:.4f}"
    accuracy = "" if job.accuracy is None else f" acc {job.accuracy:.3f}"
    return f"loss {loss}{accuracy}"


def shown(board: ExperimentProgress, room: int) -> list[JobProgress]:
    """The jobs that fit, running ones first, then queued, then ended; in creation order."""
    jobs = list(board.jobs.values())
    if len(jobs) <= room:
        return jobs
    chosen = sorted(jobs, key=lambda job: (RANK.get(job.status, 2), job.id))[: max(room, 0)]
    return sorted(chosen, key=lambda job: job.id)


def job_table(jobs: list[JobProgress]) -> Table:
    """One row per job: label, seed, bar, epochs, figures, status; never wider than the screen."""
    table = Table.grid(
        Column(max_width=LABEL_WIDTH, no_wrap=True, overflow="ellipsis"),
        Column(no_wrap=True),
        Column(ratio=1, min_width=4),
        Column(no_wrap=True, justify="right"),
        Column(no_wrap=True, overflow="ellipsis"),
        Column(no_wrap=True, overflow="ellipsis"),
        padding=(0, 1),
        expand=True,
    )
    for job in jobs:
        bar = ProgressBar(total=job.epochs or 1, completed=job.epoch, width=None)
        epochs = f"{job.epoch}/{job.epochs}"
        cells = (job.label, f"seed {job.seed}", bar, epochs, figures(job), job.status)
        table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))
    return table


def hidden_line(board: ExperimentProgress, visible: list[JobProgress]) -> Text | None:
    """`+12 more jobs: 10 succeeded, 2 queued`, or None when every job is shown."""
    ids = {job.id for job in visible}
    counts: dict[str, int] = {}
    for job in board.jobs.values():
        if job.id not in ids:
            counts[job.status] = counts.get(job.status, 0) + 1
    if not counts:
        return None
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    return Text(f"+{sum(counts.values())} more jobs: {parts}", no_wrap=True, overflow="ellipsis")


def board_view(board: ExperimentProgress, overall: Progress, height: int) -> RenderableType:
    """The whole display: the jobs that fit the terminal's height, then the overall bar."""
    visible = shown(board, height - RESERVED_LINES)
    more = hidden_line(board, visible)
    return Group(job_table(visible), *([more] if more else []), overall)
