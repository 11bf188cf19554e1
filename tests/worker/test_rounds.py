"""Adaptive experiments' rounds against the real database: submitted over HTTP, their jobs'
results arranged in the rows, then advanced as the maintenance worker advances them."""

import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import rounds as stored_rounds
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.settings import Settings
from models.spec import JobConfig
from worker import rounds

SMALL = {"dataset": {"train_size": 500, "test_size": 200}, "training": {"epochs": 1}}
VARIANTS = [
    {"preprocessing": {"method": "scale", "divisor": 255}},
    {"preprocessing": {"method": "scale", "divisor": 1000}},
    {"preprocessing": {"method": "none"}},
]
Published = list[tuple[int, JobConfig]]


def submit(client: TestClient, **spec: Any) -> dict[str, Any]:
    created = client.post("/experiments", json={"base": SMALL, **spec})
    assert created.status_code == 202, created.text
    body: dict[str, Any] = created.json()
    return body


def collector() -> tuple[Published, Callable[[Published], None]]:
    """What a round publishes, kept instead of sent."""
    sent: Published = []
    return sent, sent.extend


def end_jobs(session: Session, experiment_id: int, losses: Callable[[Job], float]) -> None:
    """Every queued job of the experiment succeeded with the test loss `losses` gives it."""
    jobs = session.scalars(
        select(Job).where(Job.experiment_id == experiment_id, Job.status == JobStatus.QUEUED)
    ).all()
    for job in jobs:
        loss = losses(job)
        session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(status=JobStatus.SUCCEEDED, final_test_loss=loss, final_loss=loss)
        )
    session.commit()


def by_divisor(values: dict[float | None, list[float]]) -> Callable[[Job], float]:
    """Each config's test loss by seed, the config named by its divisor (None: raw pixels)."""
    return lambda job: values[job.config["preprocessing"]["divisor"]][job.seed]


def experiment(session: Session, experiment_id: int) -> Experiment:
    session.expire_all()
    found = session.get(Experiment, experiment_id)
    assert found is not None
    return found


def seeds_per_config(session: Session, experiment_id: int) -> dict[float | None, int]:
    jobs = session.scalars(select(Job).where(Job.experiment_id == experiment_id)).all()
    counts: dict[float | None, int] = {}
    for job in jobs:
        divisor = job.config["preprocessing"]["divisor"]
        counts[divisor] = counts.get(divisor, 0) + 1
    return counts


CLOSE = [0.30, 0.35, 0.28, 0.33, 0.29, 0.31, 0.34, 0.27, 0.32]
ALSO_CLOSE = [0.31, 0.33, 0.30, 0.30, 0.31, 0.33, 0.31, 0.29, 0.30]
FAR = [5.0, 5.1, 4.9, 5.0, 5.1, 4.9, 5.0, 5.1, 4.9]


def test_undecided_pairs_get_min_more_seeds_and_decided_configs_none(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS, seeds={"min": 3, "max": 9})
    assert created["rounds"] == [
        {
            "round": 1,
            "seeds": {"x/255": 3, "x/1000": 3, "raw pixels": 3},
            "trials": None,
            "finalists": None,
        }
    ]
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, 1000.0: ALSO_CLOSE, None: FAR}))
    assert client.get(f"/experiments/{created['id']}").json()["status"] == "running"
    sent, publish = collector()
    assert rounds.advance(created["id"], publish) == "added"
    assert seeds_per_config(session, created["id"]) == {255.0: 6, 1000.0: 6, None: 3}
    assert sorted(job_id for job_id, _ in sent) == sorted(
        job.id
        for job in session.scalars(
            select(Job).where(Job.experiment_id == created["id"], Job.seed >= 3)
        )
    )
    added = experiment(session, created["id"])
    assert added.rounds_done == 2
    assert added.rounds is not None
    assert added.rounds[-1] == {"round": 2, "seeds": {"x/255": 6, "x/1000": 6, "raw pixels": 3}}


def test_a_round_still_running_waits(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS[:2], seeds={"min": 3, "max": 9})
    sent, publish = collector()
    assert rounds.advance(created["id"], publish) == "waiting"
    assert sent == []
    assert experiment(session, created["id"]).rounds_done == 1


def test_every_pair_decided_stops_with_decided(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=[VARIANTS[0], VARIANTS[2]], seeds={"min": 3, "max": 9})
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, None: FAR}))
    sent, publish = collector()
    assert rounds.advance(created["id"], publish) == "decided"
    assert sent == []
    body = client.get(f"/experiments/{created['id']}").json()
    assert (body["status"], body["stopped"], len(body["rounds"])) == ("succeeded", "decided", 1)
    report = client.get(f"/experiments/{created['id']}/report").json()
    assert report["rounds"]["stopped"] == "decided"
    assert report["rounds"]["looks"] == 3
    assert [c["verdict"] for c in report["comparisons"]] == ["different"]
    assert report["comparisons"][0]["comparisons"] == 3  # 3 looks x 1 pair
    assert "Seeds added until decided, 1 of at most 3 rounds" in report["summary"][1]


def test_undecided_at_max_stops_with_max_seeds(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS[:2], seeds={"min": 3, "max": 3})
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, 1000.0: ALSO_CLOSE}))
    assert rounds.advance(created["id"], collector()[1]) == "max_seeds"
    report = client.get(f"/experiments/{created['id']}/report").json()
    assert [c["verdict"] for c in report["comparisons"]] == ["undecided"]


def test_two_processes_deciding_the_same_round_add_it_once(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS[:2], seeds={"min": 3, "max": 9})
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, 1000.0: ALSO_CLOSE}))
    seen = stored_rounds.fence_of(experiment(session, created["id"]))
    config = JobConfig.model_validate(SMALL)
    assert stored_rounds.add(session, seen, {"seeds": {}}, [(config, 3, None)]) is not None
    session.commit()
    # The second saw the same round end: its fence no longer holds, it writes nothing.
    assert stored_rounds.add(session, seen, {"seeds": {}}, [(config, 3, None)]) is None
    assert stored_rounds.stop(session, seen, "decided") is False
    session.rollback()
    assert experiment(session, created["id"]).rounds_done == 2


def test_advances_racing_in_threads_add_one_round(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS[:2], seeds={"min": 3, "max": 9})
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, 1000.0: ALSO_CLOSE}))
    sent, publish = collector()
    threads = [
        threading.Thread(target=rounds.advance, args=(created["id"], publish)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 6  # 3 more seeds of 2 configs, once
    assert experiment(session, created["id"]).rounds_done == 2


def test_the_sweep_advances_a_round_whose_message_was_lost(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=[VARIANTS[0], VARIANTS[2]], seeds={"min": 3, "max": 9})
    end_jobs(session, created["id"], by_divisor({255.0: CLOSE, None: FAR}))
    assert rounds.advance_all(collector()[1])[created["id"]] == "decided"


def test_a_cancelled_experiment_adds_no_round(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    created = submit(client, variants=VARIANTS[:2], seeds={"min": 3, "max": 9})
    cancelled = client.post(f"/experiments/{created['id']}/cancel").json()
    assert (cancelled["status"], cancelled["stopped"]) == ("cancelled", "cancelled")
    assert rounds.advance(created["id"], collector()[1]) == "idle"


def test_a_search_asks_trials_as_places_free_then_runs_its_finalists_on_more_seeds(
    client: TestClient, worker_env: Settings, session: Session
) -> None:
    search = {
        "space": {"training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True}},
        "trials": 3,
        "parallel": 2,
        "sampler": "random",
        "finalists": 2,
        "finalist_seeds": 3,
    }
    created = submit(client, search=search)
    assert [(job["trial"], job["seed"]) for job in created["jobs"]] == [(0, 0), (1, 0)]
    loss = lambda job: job.config["training"]["learning_rate"] * 10  # noqa: E731
    first = created["jobs"][0]["id"]
    session.execute(
        update(Job).where(Job.id == first).values(status="succeeded", final_test_loss=0.5)
    )
    session.commit()
    assert rounds.advance(created["id"], collector()[1]) == "added"  # trial 2 takes the place
    assert rounds.advance(created["id"], collector()[1]) == "waiting"  # all 3 asked
    end_jobs(session, created["id"], loss)
    sent, publish = collector()
    assert rounds.advance(created["id"], publish) == "added"
    assert len(sent) == 4  # the two best trials' configs on seeds 1 and 2
    body = client.get(f"/experiments/{created['id']}").json()
    assert body["rounds"][-1]["finalists"] is not None
    end_jobs(session, created["id"], loss)
    assert rounds.advance(created["id"], collector()[1]) == "searched"
    report = client.get(f"/experiments/{created['id']}/report").json()
    assert report["search"]["best"]["final"]["n"] == 3
    assert len(report["search"]["trials"]) == 3
    assert report["summary"][0].startswith("Best: lr ")
    assert client.get(f"/experiments/{created['id']}/search.svg").content.startswith(b"<?xml")
