"""The `normlab` command line against the real service, over HTTP only."""

import json
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest

from cli.main import main
from harness.processes import free_port
from harness.service import ROOT, Service
from tests.integration.arranged import saturated_experiment
from tests.integration.kinds import ANY_DATABASE
from tests.integration.terminal import run_in_terminal, terminal_env

pytestmark = [pytest.mark.integration, ANY_DATABASE]
SMALL = {"dataset": {"train_size": 1000, "test_size": 300}, "training": {"epochs": 2}}


def normlab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user does, in a process of its own; output captured."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_submit_watch_status_results_and_cancel(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"--url=http://127.0.0.1:{service.port}"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "from the cli", "base": SMALL, "seeds": [0, 1]}))
    assert main([url, "submit", str(spec), "--watch"]) == 0
    watched = capsys.readouterr().out
    experiment_id = int(watched.split()[1].rstrip(":"))
    lines = watched.splitlines()
    assert f"experiment {experiment_id}: succeeded" in lines
    # Not a terminal: plain lines, one per event, no control codes.
    assert "\x1b" not in watched
    for seed in (0, 1):
        job = f"({'x/255'}, seed {seed})"
        assert sum(line.endswith(f"{job}: succeeded") for line in lines) == 1, watched
        assert sum(f"{job}: epoch 2/2, loss " in line for line in lines) == 1, watched
    assert lines[-1] == f"details: normlab results {experiment_id}"
    assert main([url, "status", str(experiment_id)]) == 0
    status = capsys.readouterr().out
    assert status.count("succeeded  epoch 2/2  x/255  test loss") == 2
    assert main([url, "results", str(experiment_id)]) == 0
    assert "test loss" in capsys.readouterr().out
    assert main([url, "results", str(experiment_id), "--csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("experiment_id,job_id,label,seed,status,")
    assert len(csv_lines) == 1 + 2 * 3  # two jobs, epochs 0 to 2
    assert main([url, "cancel", str(experiment_id)]) == 1
    assert "409" in capsys.readouterr().err


def job_rows(lines: list[str], label: str, seed: int) -> list[str]:
    """The lines that show one job's bar: its label (maybe cut short) and seed."""
    return [line for line in lines if line.startswith(label[:12]) and f" seed {seed} " in line]


def test_watch_draws_in_place_in_an_80_by_24_terminal(service: Service, tmp_path: Path) -> None:
    variants = [
        {"preprocessing": {"method": "scale", "divisor": 255}},
        {"preprocessing": {"method": "none"}, "training": {"learning_rate": 0.01}},
    ]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"base": SMALL, "variants": variants, "seeds": [0, 1]}))
    url = f"--url=http://127.0.0.1:{service.port}"
    argv = [sys.executable, "-m", "cli", url, "submit", str(spec), "--watch"]
    screen = run_in_terminal(argv, terminal_env(), columns=80, rows=24, timeout=600)
    assert screen.returncode == 0, screen.text()
    assert max(len(line) for line in screen.lines) <= 80, screen.text()
    assert "Traceback" not in screen.text()
    experiment_id = int(screen.lines[0].split()[1].rstrip(":"))
    report: dict[str, Any] = service.get_json(f"/experiments/{experiment_id}/report")
    for config in report["configs"]:
        for seed in (0, 1):
            # Redrawn in place: each job's bar is on the screen once, never scrolled again.
            rows = job_rows(screen.lines, config["label"], seed)
            assert len(rows) == 1, screen.text()
            assert " 2/2 " in rows[0], rows
            assert " loss " in rows[0], rows
            assert rows[0].endswith("succeeded"), rows
    overall = [line for line in screen.lines if line.startswith(f"experiment {experiment_id} ")]
    assert len(overall) == 1, screen.text()
    assert "8/8 epochs, 4/4 jobs ended" in overall[0], screen.text()
    assert "answer:" in screen.lines
    flowing = " ".join(screen.text().split())
    assert all(" ".join(sentence.split()) in flowing for sentence in report["summary"])
    assert f"details: normlab results {experiment_id}" in screen.lines


def test_a_users_mistakes_are_one_line_each_without_a_traceback(
    service: Service, tmp_path: Path
) -> None:
    url = f"--url=http://127.0.0.1:{service.port}"
    (tmp_path / "bad.json").write_text('{"name": "no closing brace"')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "wrong.json").write_text('{"base": {"preprocessing": {"method": "bogus"}}}')
    down = f"--url=http://127.0.0.1:{free_port()}"
    cases = [
        ([url, "submit", str(tmp_path / "missing.json")], 2, "cannot read"),
        ([url, "submit", str(tmp_path / "bad.json")], 2, "is not valid JSON: Expecting"),
        ([url, "submit", str(tmp_path / "list.json")], 2, "must hold a JSON object"),
        ([url, "submit", str(tmp_path / "wrong.json")], 1, "422: base.preprocessing.method"),
        ([url, "watch", "999999"], 1, "404: experiment 999999 not found"),
        ([down, "watch", "1"], 1, "cannot reach http://127.0.0.1:"),
        (["--url=127.0.0.1:8000", "status", "1"], 2, "--url: the API's URL must be"),
    ]
    for argv, code, message in cases:
        result = normlab(*argv)
        assert result.returncode == code, (argv, result.stderr)
        assert result.stderr.count("\n") == 1, (argv, result.stderr)
        assert result.stderr.startswith("error: "), argv
        assert message in result.stderr, (argv, result.stderr)
        assert result.stdout == "", argv


def test_results_compare_configs_on_the_metric_asked_for(service: Service) -> None:
    experiment = service.post("/experiments", {"base": SMALL}).json()
    service.post(f"/experiments/{experiment['id']}/cancel")
    url, number = f"--url=http://127.0.0.1:{service.port}", str(experiment["id"])
    shown = normlab(url, "results", number, "--metric", "loss")
    assert shown.returncode == 0, shown.stderr
    assert "pairs on train loss: none: a comparison needs two configs with results" in shown.stdout
    refused = normlab(url, "results", number, "--metric", "bogus")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: 422: query.metric: Input should be 'loss'")
    both = normlab(url, "results", number, "--metric", "loss", "--csv")
    assert (both.returncode, both.stdout) == (2, "")
    assert "--metric chooses the report's figure" in both.stderr


def test_console_script_is_installed_and_reports_api_errors(service: Service) -> None:
    script = Path(sys.executable).parent / "normlab"
    result = subprocess.run(
        [str(script), f"--url=http://127.0.0.1:{service.port}", "status", "999999"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "error: 404: experiment 999999 not found"


def test_follow_up_without_a_number_runs_them_all_and_results_show_what_each_confirms(
    api_only: Service, own_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"--url=http://127.0.0.1:{api_only.port}"
    original = saturated_experiment(own_database_url, "cli, follow-ups")
    assert main([url, "follow-up", str(original)]) == 0
    said = capsys.readouterr().out
    follow_up = int(said.split()[1].rstrip(":"))
    assert said.startswith(f"experiment {follow_up}: 2 jobs queued, every follow-up of experiment")
    assert api_only.get_json(f"/experiments/{follow_up}")["follow_up_of"] == original
    assert main([url, "results", str(original)]) == 0
    results = capsys.readouterr().out.splitlines()
    assert (
        f"follow-ups (all: normlab follow-up {original}; one: normlab follow-up {original} N):"
        in (results)
    )
    assert (
        f"     pending (experiment {follow_up}): 2 jobs of the follow-up still to run." in results
    )
    # Its jobs are queued (no worker here): its answer says it is not final.
    assert main([url, "results", str(follow_up)]) == 0
    assert "answer (provisional):" in capsys.readouterr().out.splitlines()
    assert main([url, "follow-up", str(original)]) == 1
    assert "409: experiment" in capsys.readouterr().err
    # With a number: that one alone, as a plain experiment of the config and its change.
    assert main([url, "follow-up", str(original), "1"]) == 0
    assert capsys.readouterr().out.endswith(": 4 jobs queued\n")


def test_rediagnose_says_per_config_what_changed(
    api_only: Service, own_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"--url=http://127.0.0.1:{api_only.port}"
    ids = [saturated_experiment(own_database_url, f"cli, rediagnosed {n}") for n in (1, 2)]
    label = api_only.get_json(f"/experiments/{ids[0]}/report")["configs"][0]["label"]
    # The stored epochs carry no diagnostics: the saturated softmax written beside them goes.
    assert main([url, "rediagnose", *map(str, ids)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"experiment {ids[0]}: 2 ended jobs diagnosed again, 2 changed",
        f"  {label}: no longer saturated_softmax",
        f"experiment {ids[1]}: 2 ended jobs diagnosed again, 2 changed",
        f"  {label}: no longer saturated_softmax",
    ]
    assert main([url, "rediagnose", str(ids[0])]) == 0
    assert (
        capsys.readouterr().out
        == f"experiment {ids[0]}: 2 ended jobs diagnosed again, none changed\n"
    )


def lines_of(stream: IO[str]) -> "queue.Queue[str | None]":
    """The stream's lines as they come, read on a thread of their own; None once it ended."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_watch_stopped_with_ctrl_c_shows_the_answer_so_far_marked_provisional(
    api_only: Service,
) -> None:
    body = {"name": "cli, stopped watching", "base": SMALL, "seeds": [0, 1]}
    experiment = api_only.post("/experiments", body).json()
    first, second = (job["id"] for job in experiment["jobs"])
    argv = [sys.executable, "-m", "cli", f"--url=http://127.0.0.1:{api_only.port}"]
    watching = subprocess.Popen(
        [*argv, "watch", str(experiment["id"])], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert watching.stdout is not None
    try:
        lines = lines_of(watching.stdout)
        api_only.post(f"/jobs/{first}/cancel")
        # Its event is on the screen: the watch is following the stream.
        while lines.get(timeout=120) != f"job {first} (x/255, seed 0): cancelled":
            pass
        watching.send_signal(signal.SIGINT)
        assert watching.wait(timeout=120) == 130
        rest = list(iter(lambda: lines.get(timeout=120), None))
    finally:
        watching.kill()
    assert rest[0].startswith(f"experiment {experiment['id']}: ")
    assert rest[0].endswith("; stopped watching, its jobs go on")
    assert rest[1] == "answer (provisional):"
    assert rest[-1] == f"details: normlab results {experiment['id']}"
    assert api_only.job(second)["status"] == "queued"
