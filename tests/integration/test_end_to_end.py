"""POST over HTTP, a real Celery worker trains on the real data, results come back from SQL."""

import json
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from harness.processes import wait_for
from harness.service import Service
from models.broker import Broker
from models.db import make_engine
from models.settings import Settings
from models.spec import JobConfig

pytestmark = pytest.mark.integration

SMALL = {"dataset": {"train_size": 2000, "test_size": 500}, "training": {"epochs": 2}}


def figures(service: Service, job_id: int) -> list[tuple[Any, ...]]:
    """A job's per-epoch figures without the timings."""
    items = service.get_json(f"/jobs/{job_id}/metrics")["items"]
    return [
        (m["epoch"], m["loss"], m["accuracy"], m["test_loss"], m["test_accuracy"]) for m in items
    ]


def test_seed_question_runs_to_the_end_and_serves_per_epoch_metrics(service: Service) -> None:
    spec = {
        "name": "seed question, small",
        "base": {**SMALL, "loss": {"mode": "clipped_probabilities"}},
        "variants": [
            {"preprocessing": {"method": "scale", "divisor": 255}},
            {"preprocessing": {"method": "none"}},
            {"preprocessing": {"method": "scale", "divisor": 1000}},
        ],
    }
    created = service.post("/experiments", spec)
    assert created.status_code == 202
    done = service.wait_experiment(created.json()["id"])
    assert done["status"] == "succeeded"
    assert done["counts"]["succeeded"] == 3
    scaled, raw, thousandth = done["jobs"]
    for job in done["jobs"]:
        rows = figures(service, job["id"])
        assert [row[0] for row in rows] == [0, 1, 2]
        assert job["result"]["loss"] == rows[-1][1]
        assert job["result"]["test_accuracy"] == rows[-1][4]
        assert (job["progress"]["epoch"], job["progress"]["epochs"]) == (2, 2)
        assert job["progress"]["batches_per_epoch"] == 63  # 2,000 images in batches of 32
        assert job["attempt"] == 1
    assert raw["result"]["loss"] > 10  # stuck: most samples clipped at 1e-7
    assert scaled["result"]["loss"] < 1.0
    assert thousandth["result"]["loss"] < 1.5


def test_same_spec_and_seed_give_the_same_metrics(service: Service) -> None:
    spec = {"base": SMALL, "seeds": [3]}
    first = service.wait_experiment(service.post("/experiments", spec).json()["id"])
    second = service.wait_experiment(service.post("/experiments", spec).json()["id"])
    one, two = first["jobs"][0]["id"], second["jobs"][0]["id"]
    assert figures(service, one) == figures(service, two)
    assert service.get_json(f"/jobs/{one}/diagnostics") == service.get_json(
        f"/jobs/{two}/diagnostics"
    )
    assert first["jobs"][0]["summary"] == second["jobs"][0]["summary"]


def test_cancel_stops_a_running_job_within_its_epoch_and_a_queued_one_never_starts(
    service: Service,
) -> None:
    long = {"dataset": {"train_size": 20000, "test_size": 500}, "training": {"epochs": 40}}
    created = service.post("/experiments", {"base": long, "seeds": [0, 1]}).json()
    running_id, queued_id = (job["id"] for job in created["jobs"])
    wait_for(
        lambda: True if service.get_json(f"/jobs/{running_id}")["progress"]["epoch"] >= 1 else None,
        120,
        "the first epoch of the long job",
    )
    queued = service.post(f"/jobs/{queued_id}/cancel").json()
    assert queued["status"] == "cancelled"
    assert service.post(f"/jobs/{running_id}/cancel").status_code == 202
    ended = wait_for(
        lambda: (
            job if (job := service.get_json(f"/jobs/{running_id}"))["status"] != "running" else None
        ),
        60,
        "the running job to stop",
    )
    assert ended["status"] == "cancelled"
    assert ended["result"] is None
    epochs = [row[0] for row in figures(service, running_id)]
    assert epochs == list(range(ended["progress"]["epoch"] + 1))
    assert 1 <= epochs[-1] < 40
    never = service.get_json(f"/jobs/{queued_id}")
    assert (never["status"], never["started_at"], never["attempt"]) == ("cancelled", None, 0)
    assert service.post(f"/jobs/{running_id}/cancel").status_code == 202  # harmless twice


def test_a_duplicate_delivery_does_not_run_the_job_again(service: Service) -> None:
    job = service.wait_experiment(service.post("/experiments", {"base": SMALL}).json()["id"])[
        "jobs"
    ][0]
    before = figures(service, job["id"])
    settings = Settings(
        database_url=service.env["DATABASE_URL"],
        redis_url=service.env["REDIS_URL"],
        queue=service.env["NORMLAB_QUEUE"],
    )
    broker = Broker(settings)
    # The same task message again, as a redelivery would send it.
    broker.send_jobs([(job["id"], JobConfig.model_validate(job["config"]))])
    broker.close()
    # The worker takes tasks in order, one at a time: once a later job has ended, it has seen
    # the duplicate.
    service.wait_experiment(service.post("/experiments", {"base": SMALL}).json()["id"])
    after = service.get_json(f"/jobs/{job['id']}")
    assert (after["attempt"], after["finished_at"]) == (1, job["finished_at"])
    assert figures(service, job["id"]) == before


def test_report_answers_from_what_the_jobs_measured(service: Service) -> None:
    spec = {
        "name": "explained, small",
        "base": {"dataset": {"train_size": 2000, "test_size": 500}, "training": {"epochs": 2}},
        "variants": [
            {"preprocessing": {"method": "scale", "divisor": 255}},
            {"preprocessing": {"method": "none"}},
        ],
        "grid": {"loss.mode": ["clipped_probabilities", "from_logits"]},
        "seeds": [0, 1],
    }
    done = service.wait_experiment(service.post("/experiments", spec).json()["id"])
    assert done["status"] == "succeeded"
    report = service.get_json(f"/experiments/{done['id']}/report")
    assert [c["final_test_loss"]["n"] for c in report["configs"]] == [2, 2, 2, 2]
    assert {c["test"] for c in report["comparisons"]} == {"paired t"}
    # Four configs of a 2 x 2 design: four pairs that differ in one factor, one finding each.
    assert len(report["findings"]) == len(report["comparisons"]) == 4
    raw_clipped = next(c for c in report["configs"] if c["label"] == "raw pixels, clipped loss")
    assert raw_clipped["stuck_seeds"] == 2
    assert raw_clipped["learned"] is False
    # The verdict first: one of the x/255 runs is best (the two compute the same loss there).
    assert report["summary"][0].startswith(("x/255, clipped loss", "x/255, logits loss"))
    assert any(
        s.startswith("raw pixels, clipped loss did not learn (2 of 2 seeds)")
        for s in report["summary"]
    )
    assert report == service.get_json(f"/experiments/{done['id']}/report")
    raw_job = raw_clipped["job_ids"][0]
    diagnostics = service.get_json(f"/jobs/{raw_job}/diagnostics?name=output.clipped_true_share")[
        "items"
    ]
    assert [d["epoch"] for d in diagnostics] == [0, 1, 2]
    assert min(d["value"] for d in diagnostics) >= 0.5


def test_worker_log_is_json_lines_with_the_job_id(service: Service) -> None:
    job = service.wait_experiment(service.post("/experiments", {"base": SMALL}).json()["id"])[
        "jobs"
    ][0]
    lines = [
        line for line in (service.logs / "worker.log").read_text().splitlines() if line.strip()
    ]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message", "job_id"} <= set(records[-1])
    mine = [r for r in records if r["job_id"] == job["id"]]
    assert any(f"job {job['id']}: attempt 1 started" in r["message"] for r in mine)
    assert any("succeeded after epoch" in r["message"] for r in mine)


def test_exports_open_in_pandas_and_the_views_hold_the_same_figures(service: Service) -> None:
    done = service.wait_experiment(
        service.post("/experiments", {"base": SMALL, "seeds": [0, 1]}).json()["id"]
    )
    base = f"http://127.0.0.1:{service.port}/experiments/{done['id']}/metrics"
    frame = pd.read_csv(f"{base}?format=csv")
    assert list(frame["epoch"]) == [0, 1, 2, 0, 1, 2]
    assert set(frame["preprocessing.method"]) == {"scale"}
    by_seed = frame[frame["epoch"] == 2].set_index("seed")["test_loss"]
    assert by_seed[0] == done["jobs"][0]["result"]["test_loss"]
    lines = pd.read_json(f"{base}?format=jsonl", lines=True, precise_float=True)
    assert lines["loss"].tolist() == frame["loss"].tolist()
    engine = make_engine(service.env["DATABASE_URL"])
    jobs = pd.read_sql(
        text("SELECT * FROM job_results WHERE experiment_id = :e ORDER BY job_id"),
        engine,
        params={"e": done["id"]},
    )
    epochs = pd.read_sql(
        text("SELECT * FROM epoch_results WHERE experiment_id = :e ORDER BY job_id, epoch"),
        engine,
        params={"e": done["id"]},
    )
    engine.dispose()
    assert jobs["test_loss"].tolist() == [job["result"]["test_loss"] for job in done["jobs"]]
    assert set(jobs["preprocessing_method"]) == {"scale"}
    assert epochs["loss"].tolist() == frame["loss"].tolist()


def test_event_stream_follows_a_running_job_and_resumes(service: Service) -> None:
    job_id = service.post("/experiments", {"base": {**SMALL, "training": {"epochs": 3}}}).json()[
        "jobs"
    ][0]["id"]
    seen: list[tuple[str, dict[str, Any]]] = []
    last_id = ""
    with service.http.stream("GET", f"/jobs/{job_id}/events", timeout=120) as response:
        event = {}
        for line in response.iter_lines():
            if line.startswith(("id", "event", "data")):
                key, _, value = line.partition(": ")
                event[key] = value
            elif not line and event:
                seen.append((event["event"], json.loads(event["data"])))
                last_id = event.get("id", last_id) if len(seen) == 3 else last_id
                event = {}
    kinds = [kind for kind, _ in seen]
    assert kinds == ["status", "status", "epoch", "epoch", "epoch", "epoch", "status", "end"]
    assert [data.get("epoch") for kind, data in seen if kind == "epoch"] == [0, 1, 2, 3]
    assert seen[-2][1]["status"] == "succeeded"
    resumed = service.http.get(
        f"/jobs/{job_id}/events", headers={"Last-Event-ID": last_id}, timeout=60
    )
    assert resumed.text.count("event: epoch") == 3  # epochs 1 to 3 after the third event
