"""GET /experiments/{id}/metrics: the whole history in JSON, CSV and JSON Lines."""

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.experiment import Experiment
from models.job import JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import job_row


def arrange(session: Session) -> tuple[int, list[int]]:
    """Two jobs (raw and /255) with epochs 0 and 1; the raw one diverged at epoch 1."""
    experiment = Experiment(name="export", spec={})
    session.add(experiment)
    ids = []
    for seed, method in enumerate(("none", "scale")):
        config = JobConfig.model_validate({"preprocessing": {"method": method}}).resolved()
        job = job_row(experiment, config, seed, epochs=1, status=JobStatus.SUCCEEDED)
        session.add(job)
        session.flush()
        for epoch in (0, 1):
            loss = None if (method, epoch) == ("none", 1) else 2.3 - epoch
            session.add(
                EpochMetric(
                    job_id=job.id,
                    epoch=epoch,
                    loss=loss,
                    accuracy=0.1,
                    test_loss=2.3,
                    test_accuracy=0.1,
                    seconds=0.5,
                )
            )
        ids.append(job.id)
    session.commit()
    return experiment.id, ids


def test_json_lists_every_epoch_of_every_job_with_its_config(
    client: TestClient, session: Session
) -> None:
    experiment_id, (raw, scaled) = arrange(session)
    response = client.get(f"/experiments/{experiment_id}/metrics")
    assert response.headers["content-type"].startswith("application/json")
    items = response.json()["items"]
    assert [(i["job_id"], i["epoch"]) for i in items] == [
        (raw, 0),
        (raw, 1),
        (scaled, 0),
        (scaled, 1),
    ]
    assert items[1]["loss"] is None
    assert items[2]["preprocessing.method"] == "scale"
    assert items[2]["preprocessing.divisor"] == 255
    assert [i["label"] for i in items] == ["raw pixels"] * 2 + ["x/255"] * 2
    assert items[0]["seed"] == 0


def test_csv_by_accept_header_or_parameter(client: TestClient, session: Session) -> None:
    experiment_id, (raw, _) = arrange(session)
    for response in (
        client.get(f"/experiments/{experiment_id}/metrics", headers={"Accept": "text/csv"}),
        client.get(f"/experiments/{experiment_id}/metrics?format=csv"),
    ):
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == 4
        assert rows[0]["job_id"] == str(raw)
        assert rows[1]["loss"] == ""
        assert rows[0]["model.hidden_layers"] == "[128]"


def test_json_lines(client: TestClient, session: Session) -> None:
    experiment_id, _ = arrange(session)
    response = client.get(f"/experiments/{experiment_id}/metrics?format=jsonl")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["epoch"] for line in lines] == [0, 1, 0, 1]
    negotiated = client.get(
        f"/experiments/{experiment_id}/metrics", headers={"Accept": "application/x-ndjson"}
    )
    assert negotiated.text == response.text


def test_unknown_format_is_422_and_unknown_experiment_404(client: TestClient) -> None:
    assert client.get("/experiments/1/metrics?format=xlsx").status_code == 422
    assert client.get("/experiments/999999/metrics").status_code == 404
