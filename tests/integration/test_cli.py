"""The `normlab` command line against the real service, over HTTP only."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from harness.service import Service

pytestmark = pytest.mark.integration
SMALL = {"dataset": {"train_size": 1000, "test_size": 300}, "training": {"epochs": 2}}


def test_submit_watch_status_results_and_cancel(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"--url=http://127.0.0.1:{service.port}"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "from the cli", "base": SMALL, "seeds": [0, 1]}))
    assert main([url, "submit", str(spec), "--watch"]) == 0
    watched = capsys.readouterr().out
    experiment_id = int(watched.split()[1].rstrip(":"))
    assert f"experiment {experiment_id}: succeeded" in watched
    assert "[########################] 2/2" in watched
    assert main([url, "status", str(experiment_id)]) == 0
    status = capsys.readouterr().out
    assert status.count("succeeded  epoch 2/2") == 2
    assert main([url, "results", str(experiment_id)]) == 0
    assert "test loss" in capsys.readouterr().out
    assert main([url, "results", str(experiment_id), "--csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("experiment_id,job_id,label,seed,status,")
    assert len(csv_lines) == 1 + 2 * 3  # two jobs, epochs 0 to 2
    assert main([url, "cancel", str(experiment_id)]) == 1
    assert "409" in capsys.readouterr().err


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
