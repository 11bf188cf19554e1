"""A real worker's diagnosis: conditions stored with the epochs, served, filtered and in SQL."""

import pytest
from sqlalchemy import text

from harness.service import Service
from models.db import make_engine

pytestmark = pytest.mark.integration


def test_a_stuck_run_is_diagnosed_and_found_by_its_conditions(service: Service) -> None:
    spec = {
        "name": "diagnosis",
        "base": {
            "dataset": {"train_size": 2000, "test_size": 500},
            "training": {"epochs": 2},
            "loss": {"mode": "clipped_probabilities"},
        },
        "variants": [{"preprocessing": {"method": "none"}}, {"preprocessing": {"method": "scale"}}],
    }
    done = service.wait_experiment(service.post("/experiments", spec).json()["id"])
    raw, scaled = (job["id"] for job in done["jobs"])
    conditions = service.get_json(f"/jobs/{raw}")["conditions"]
    assert [(c["name"], c["kind"], c["epoch"]) for c in conditions] == [
        ("saturated_softmax", "problem", 0),
        ("clipped_stall", "problem", 1),
    ]
    assert conditions[1]["evidence"]["epochs"] == [1, 2]
    assert "sit at the 1e-7 clip after every epoch" in conditions[1]["statement"]
    assert [c["kind"] for c in service.get_json(f"/jobs/{scaled}")["conditions"]] in ([], ["note"])
    found = service.get_json(f"/jobs?experiment_id={done['id']}&condition=clipped_stall")
    assert [job["id"] for job in found["items"]] == [raw]
    engine = make_engine(service.env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT job_id, problems FROM job_results WHERE experiment_id = :e ORDER BY job_id"
            ),
            {"e": done["id"]},
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        (raw, "clipped_stall,saturated_softmax"),
        (scaled, None),
    ]
