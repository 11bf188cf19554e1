"""Adaptive experiments end to end: POST over HTTP, a real Celery worker trains, the
maintenance worker adds the rounds, the report, the page and the command line show them."""

import subprocess
import sys
from typing import Any

import pytest

from harness.service import ROOT, Service

pytestmark = pytest.mark.integration

SMALL = {"dataset": {"train_size": 1000, "test_size": 500}, "training": {"epochs": 1}}
# Three nearly identical configs and a margin no pair can meet: at 2 seeds (one degree of
# freedom) a pair is called different only when t exceeds 76, which the seed noise of such
# pairs never gives, so a second round surely runs; then max is reached.
NEAR = [{"preprocessing": {"method": "scale", "divisor": d}} for d in (255, 256, 257)]
ROUNDS = {"min": 2, "max": 4, "margin": 1e-9}
# Random sampling with seed 1 draws learning rates 0.0074, 0.009, 0.029, 2.1, 0.001 for the
# five trials the median rule waits for, then 0.99 (tanh): at chance, far above their median.
SPACE = {
    "training.learning_rate": {"low": 1e-4, "high": 3, "log": True},
    "model.activation": ["relu", "tanh"],
}
SEARCH = {
    "space": SPACE,
    "trials": 7,
    "parallel": 1,
    "sampler": "random",
    "seed": 1,
    "finalists": 2,
    "finalist_seeds": 2,
}


def submitted(service: Service, spec: dict[str, Any]) -> dict[str, Any]:
    created = service.post("/experiments", spec)
    assert created.status_code == 202, created.text
    body: dict[str, Any] = created.json()
    return body


def test_seeds_are_added_in_a_second_round_until_max(service: Service) -> None:
    created = submitted(service, {"base": SMALL, "variants": NEAR, "seeds": ROUNDS})
    done = service.wait_experiment(created["id"], timeout=600)
    assert (done["status"], done["stopped"]) in (
        ("succeeded", "max_seeds"),
        ("succeeded", "decided"),
    )
    assert [r["round"] for r in done["rounds"]] == [1, 2]
    last = done["rounds"][-1]["seeds"]
    per_config: dict[str, int] = {}
    report = service.get_json(f"/experiments/{created['id']}/report")
    for row in report["configs"]:
        per_config[row["label"]] = len(row["job_ids"])
        assert sorted(row["seeds"]) == list(range(len(row["job_ids"])))
    assert per_config == last
    assert max(last.values()) == 4
    assert report["rounds"]["stopped"] == done["stopped"]
    assert any(
        s.startswith("Seeds added until decided, 2 of at most 2 rounds") for s in report["summary"]
    )
    undecided = [c for c in report["comparisons"] if c["verdict"] == "undecided"]
    assert bool(undecided) == (done["stopped"] == "max_seeds")
    page = service.http.get(f"/ui/experiments/{created['id']}").text
    assert 'id="rounds"' in page


def test_watch_shows_each_round_and_why_it_stopped(service: Service) -> None:
    created = submitted(service, {"base": SMALL, "variants": NEAR[:2], "seeds": ROUNDS})
    watched = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "--url",
            str(service.http.base_url),
            "watch",
            str(created["id"]),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "round 1: seeds per config x/255 2, x/256 2" in watched.stdout, watched.stdout
    assert "round 2: seeds per config x/255 4, x/256 4" in watched.stdout
    assert "rounds: 2, stopped: " in watched.stdout


def test_a_search_samples_trials_prunes_one_and_reruns_its_best_on_more_seeds(
    service: Service,
) -> None:
    base = SMALL | {"training": {"epochs": 3}}
    created = submitted(service, {"base": base, "search": SEARCH})
    assert [job["trial"] for job in created["jobs"]] == [0]
    done = service.wait_experiment(created["id"], timeout=900)
    assert (done["status"], done["stopped"]) == ("succeeded", "searched")
    trials = [job for job in done["jobs"] if job["trial"] is not None]
    assert sorted(job["trial"] for job in trials) == list(range(7))
    pruned = [job for job in trials if job["stopped_early"]]
    assert 5 in [job["trial"] for job in pruned]
    for job in pruned:
        assert job["stopped_early"]["condition"] == "pruned"
        assert job["progress"]["epoch"] == job["stopped_early"]["epoch"] < 3
        assert job["result"]["test_loss"] is not None
    finalists = [job for job in done["jobs"] if job["trial"] is None]
    assert [job["seed"] for job in finalists] == [1, 1]
    report = service.get_json(f"/experiments/{created['id']}/report")
    search = report["search"]
    assert len(search["trials"]) == 7
    assert search["best"]["final"]["n"] == 2
    assert set(search["importances"]) == set(SPACE)
    assert report["summary"][0].startswith("Best: ")
    svg = service.http.get(f"/experiments/{created['id']}/search.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
