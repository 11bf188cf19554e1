"""GET /experiments/compare over HTTP: two experiments' configs in one report."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.base import utcnow
from models.experiment import Experiment
from models.job import JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import job_row

SEEDS = (0, 1, 2)


def config(preprocessing: dict[str, Any]) -> JobConfig:
    """A one-epoch config with this preprocessing."""
    raw = {"training": {"epochs": 1}, "preprocessing": preprocessing}
    return JobConfig.model_validate(raw).resolved()


X255 = config({"method": "scale", "divisor": 255})
X1000 = config({"method": "scale", "divisor": 1000})
RAW = config({"method": "none"})


def arrange(session: Session, name: str, runs: list[tuple[JobConfig, list[float]]]) -> int:
    """An experiment whose configs each ended, per seed, at these test losses."""
    experiment = Experiment(name=name, spec={})
    for job_config, losses in runs:
        for seed, loss in zip(SEEDS, losses, strict=True):
            job = job_row(
                experiment,
                job_config,
                seed,
                status=JobStatus.SUCCEEDED,
                epochs_done=1,
                finished_at=utcnow(),
                stuck=False,
                final_loss=loss,
                final_accuracy=0.8,
                final_test_loss=loss,
                final_test_accuracy=0.8,
            )
            session.add(job)
            session.flush()
            for epoch, value in ((0, 2.3), (1, loss)):
                session.add(
                    EpochMetric(
                        job_id=job.id,
                        epoch=epoch,
                        loss=value,
                        accuracy=0.8,
                        test_loss=value,
                        test_accuracy=0.8,
                        seconds=0.1,
                    )
                )
    session.commit()
    return experiment.id


def pair(body: dict[str, Any], a: str, b: str) -> dict[str, Any]:
    """The comparison of labels a and b, in either orientation."""
    found = [c for c in body["comparisons"] if {c["a"], c["b"]} == {a, b}]
    assert len(found) == 1, [(c["a"], c["b"]) for c in body["comparisons"]]
    return dict(found[0])


def test_compare_puts_both_experiments_configs_in_one_report_naming_the_shared_config(
    client: TestClient, session: Session
) -> None:
    first = arrange(session, "first", [(X255, [0.30, 0.31, 0.32]), (X1000, [0.33, 0.35, 0.34])])
    second = arrange(session, "second", [(X255, [0.30, 0.31, 0.32]), (RAW, [2.0, 2.1, 2.2])])
    response = client.get("/experiments/compare", params={"ids": f"{first},{second}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["experiments"] == [
        {
            "id": first,
            "name": "first",
            "status": "succeeded",
            "configs": [f"x/255 (experiment {first})", "x/1000"],
        },
        {
            "id": second,
            "name": "second",
            "status": "succeeded",
            "configs": [f"x/255 (experiment {second})", "raw pixels"],
        },
    ]
    report = body["report"]
    assert [row["config"] for row in report["configs"]] == [
        X255.model_dump(mode="json"),
        X1000.model_dump(mode="json"),
        X255.model_dump(mode="json"),
        RAW.model_dump(mode="json"),
    ]
    same = pair(report, f"x/255 (experiment {first})", f"x/255 (experiment {second})")
    assert (same["factors"], same["difference"], same["verdict"]) == (
        ["experiment"],
        0.0,
        "equivalent",
    )
    across = pair(report, "x/1000", "raw pixels")
    assert across["factors"] == ["preprocessing"]
    assert across["verdict"] == "different"
    finding = next(f for f in report["findings"] if {f["a"], f["b"]} == {same["a"], same["b"]})
    assert f"experiment {first} instead of experiment {second}" in finding["statement"] or (
        f"experiment {second} instead of experiment {first}" in finding["statement"]
    )


def test_compare_has_the_same_statistics_as_each_experiments_report(
    client: TestClient, session: Session
) -> None:
    first = arrange(session, "first", [(X255, [0.30, 0.31, 0.32]), (X1000, [0.33, 0.35, 0.34])])
    second = arrange(session, "second", [(RAW, [2.0, 2.1, 2.2])])
    alone = client.get(f"/experiments/{first}/report").json()
    body = client.get("/experiments/compare", params={"ids": f"{first},{second}"}).json()
    report = body["report"]
    assert report["configs"][:2] == alone["configs"]  # labels, intervals, curves
    mine, theirs = pair(report, "x/255", "x/1000"), pair(alone, "x/255", "x/1000")
    for key in ("a", "b", "factors", "test", "n", "difference", "p"):
        assert mine[key] == theirs[key], key


def test_compare_takes_the_report_parameters_and_refuses_anything_but_two_ids(
    client: TestClient, session: Session
) -> None:
    first = arrange(session, "first", [(X255, [0.30, 0.31, 0.32])])
    second = arrange(session, "second", [(X1000, [0.33, 0.35, 0.34])])
    ids = f"{first},{second}"
    body = client.get("/experiments/compare", params={"ids": ids, "metric": "loss"}).json()
    assert body["report"]["metric"] == "loss"
    for params in (
        {"ids": str(first)},
        {"ids": f"{first},{first}"},
        {"ids": f"{first},x"},
        {"ids": f"{first},{second},3"},
        {"ids": f"{first},0"},
        {},
        {"ids": ids, "colour": "red"},
    ):
        response = client.get("/experiments/compare", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
    assert (
        client.get("/experiments/compare", params={"ids": f"{first},2147483000"}).status_code == 404
    )
