"""The live display's layout: what fits an 80 x 24 terminal, whatever the experiment's size."""

from rich.console import Console

from cli.board import board_view
from normlab.progress import ExperimentProgress, JobProgress
from normlab.waiting import overall_bar, update_overall

STATUSES = ["succeeded"] * 10 + ["running"] * 2 + ["queued"] * 18
LONG = "raw pixels, lr 0.001, clipped loss, tanh, glorot_normal, layers 512-256"


def board_of(statuses: list[str]) -> ExperimentProgress:
    """An experiment whose jobs have these statuses, each with 5 epochs planned."""
    board = ExperimentProgress(id=7)
    for number, status in enumerate(statuses, start=1):
        done = {"succeeded": 5, "running": 2}.get(status, 0)
        job = JobProgress(number, LONG if number % 2 else "x/255", number % 5, status, done, 5)
        if done:
            job.loss, job.accuracy = 0.4973, 0.8231
        board.jobs[number] = job
    return board


def render(board: ExperimentProgress, width: int = 80, height: int = 24) -> list[str]:
    """The display as an 80 x 24 terminal would draw it, one string per line."""
    console = Console(width=width, height=height, record=True, color_system=None)
    overall = overall_bar(console)
    task = overall.add_task("experiment 7", total=board.epochs_planned)
    update_overall(overall, task, board)
    console.print(board_view(board, overall, height))
    return console.export_text().splitlines()


def test_thirty_jobs_fit_80_by_24_running_ones_first() -> None:
    lines = render(board_of(STATUSES))
    assert len(lines) < 24
    assert max(len(line) for line in lines) <= 80
    running = [line for line in lines if line.rstrip().endswith("running")]
    assert len(running) == 2
    assert all("2/5" in line and "loss 0.4973 acc 0.823" in line for line in running)
    assert lines[-2] == "+9 more jobs: 9 succeeded"
    assert lines[-1].startswith("experiment 7 ")
    assert "54/150 epochs, 10/30 jobs ended" in lines[-1]


def test_a_long_label_is_cut_short_and_every_job_has_one_line() -> None:
    lines = render(board_of(["succeeded", "running", "queued"]))
    assert len(lines) == 4
    assert lines[0].startswith("raw pixels, lr 0.001, c…")
    assert lines[0].rstrip().endswith("5/5 loss 0.4973 acc 0.823 succeeded")
    assert lines[2].split()[-2:] == ["0/5", "queued"]
    assert max(len(line) for line in lines) <= 80


def test_a_narrow_terminal_still_gets_one_line_per_job() -> None:
    lines = render(board_of(["running"] * 3), width=50)
    assert len(lines) == 4
    assert max(len(line) for line in lines) <= 50
