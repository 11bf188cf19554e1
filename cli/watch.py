"""`normlab watch`: live bars in a terminal, plain lines elsewhere, then the answer."""

import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from cli.board import board_view, figures
from cli.render import answer_heading
from normlab import Client
from normlab.client import ROUND, with_rounds
from normlab.progress import ExperimentProgress, round_line
from normlab.waiting import overall_bar, update_overall

Events = Iterable[tuple[str, dict[str, Any]]]


def live(board: ExperimentProgress, events: Events, console: Console) -> None:
    """Redraw the board in place as events arrive; it stays on the screen when all ended."""
    overall = overall_bar(console)
    task = overall.add_task(
        f"experiment {board.id}", completed=board.epochs_done, total=board.epochs_planned
    )
    update_overall(overall, task, board)

    def view() -> Any:
        return board_view(board, overall, console.height)

    with Live(get_renderable=view, console=console, refresh_per_second=4) as display:
        for kind, data in events:
            if kind == ROUND:
                display.console.print(data["line"])
            board.apply(kind, data)
            update_overall(overall, task, board)
            display.refresh()


def plain(board: ExperimentProgress, events: Events) -> None:
    """One line per epoch and status change, no control codes: for files, pipes and logs."""
    for kind, data in events:
        if kind == ROUND:
            print(data["line"], flush=True)
        job = board.apply(kind, data)
        if job is None:
            continue
        if kind == "epoch":
            print(f"{job.describe()}: epoch {job.epoch}/{job.epochs}, {figures(job)}", flush=True)
        elif kind == "status":
            print(f"{job.describe()}: {job.status}", flush=True)


def ending(status: str, report: dict[str, Any], console: Console | None) -> None:
    """How the experiment ended, the report's summary sentences (marked provisional while jobs
    remain) and where to read the rest: wrapped with hanging indents on a terminal, one line
    each elsewhere."""
    head = f"experiment {report['experiment_id']}: {status}"
    pointer = f"details: normlab results {report['experiment_id']}"
    answer = answer_heading(report)
    if console is None:
        print(head, answer, *[f"- {s}" for s in report["summary"]], pointer, sep="\n")
        return
    sentences = Table.grid(padding=(0, 1))
    for sentence in report["summary"]:
        sentences.add_row("-", Text(sentence))
    console.print(Text(head), Text(answer), sentences, Text(pointer), sep="\n")


def watch(client: Client, experiment_id: int) -> int:
    """Follow the experiment to its end; 0 if every job succeeded. Stopped with Ctrl-C, it
    leaves the jobs running and shows the answer so far, marked provisional (exit status 130)."""
    board = client.progress(experiment_id)
    console = Console()
    # The stream decides, not rich's FORCE_COLOR: redrawing in place needs a real terminal.
    terminal = sys.stdout.isatty()
    for record in board.rounds:
        print(round_line(record), flush=True)
    events = with_rounds(client, board, client.events(experiment_id))
    stopped = False
    try:
        if terminal:
            live(board, events, console)
        else:
            plain(board, events)
    except KeyboardInterrupt:
        stopped = True
    final = client.experiment(experiment_id)
    if final.get("stopped"):
        print(f"rounds: {len(final['rounds'])}, stopped: {final['stopped']}", flush=True)
    status = f"{final['status']}; stopped watching, its jobs go on" if stopped else final["status"]
    ending(status, client.report(experiment_id), console if terminal else None)
    sys.stdout.flush()
    if stopped:
        return 130
    return 0 if final["status"] == "succeeded" else 1
