"""GET /experiments/{id}/report over HTTP, on rows arranged in the real database."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import job_row, saturated_condition


def arrange(session: Session, finals: dict[str, list[float]]) -> int:
    """An experiment with one succeeded job per (config, final test loss), seeds 0, 1, ..."""
    experiment = Experiment(name="arranged report", spec={})
    session.add(experiment)
    for method, losses in finals.items():
        config = JobConfig.model_validate(
            {"preprocessing": {"method": method}, "training": {"epochs": 1}}
        ).resolved()
        for seed, test_loss in enumerate(losses):
            job = job_row(
                experiment,
                config,
                seed,
                epochs=1,
                epochs_done=1,
                status=JobStatus.SUCCEEDED,
                finished_at=utcnow(),
                final_loss=test_loss - 0.05,
                final_accuracy=0.8,
                final_test_loss=test_loss,
                final_test_accuracy=0.8,
                stuck=False,
            )
            session.add(job)
            session.flush()
            session.add_all(
                [
                    EpochMetric(
                        job_id=job.id,
                        epoch=0,
                        loss=2.3,
                        accuracy=0.1,
                        test_loss=2.3,
                        test_accuracy=0.1,
                        seconds=0.1,
                    ),
                    EpochMetric(
                        job_id=job.id,
                        epoch=1,
                        loss=test_loss - 0.05,
                        accuracy=0.8,
                        test_loss=test_loss,
                        test_accuracy=0.8,
                        seconds=1.0,
                    ),
                ]
            )
    session.commit()
    return experiment.id


def test_report_folds_seeds_and_compares_with_the_best(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32, 0.31], "center": [0.40, 0.41, 0.45]})
    report = client.get(f"/experiments/{experiment_id}/report").json()
    assert (report["status"], report["best"], report["metric"]) == (
        "succeeded",
        "x/255",
        "test_loss",
    )
    scaled, centered = report["configs"]
    assert (scaled["label"], centered["label"]) == ("x/255", "center")
    assert scaled["seeds"] == [0, 1, 2]
    assert scaled["final_test_loss"]["n"] == 3
    assert scaled["final_test_loss"]["mean"] == 0.31
    assert scaled["final_test_loss"]["ci_low"] < 0.31 < scaled["final_test_loss"]["ci_high"]
    assert [point["epoch"] for point in scaled["curve"]] == [0, 1]
    assert scaled["curve"][0]["loss"]["mean"] == 2.3
    [comparison] = report["comparisons"]
    assert (comparison["a"], comparison["b"], comparison["test"]) == ("center", "x/255", "paired t")
    assert round(comparison["difference"], 6) == round(
        (0.40 + 0.41 + 0.45 - 0.30 - 0.32 - 0.31) / 3, 6
    )
    assert comparison["verdict"] == "different"
    assert comparison["p_adjusted"] == comparison["p"]
    assert report["summary"][:2] == [
        "x/255 reaches a lower test loss than center by 0.11 (0.31 against 0.42); a real "
        "difference over 3 seeds.",
        "On the train loss, x/255 is lower (0.26 against 0.37); a real difference over 3 seeds.",
    ]
    assert "Learned with no problem found: x/255; center." in report["summary"]
    assert report["provisional"] is False


def test_report_compares_on_the_metric_asked_for(client: TestClient, session: Session) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32, 0.31], "center": [0.40, 0.41, 0.45]})
    report = client.get(f"/experiments/{experiment_id}/report?metric=loss&margin=0.2").json()
    assert (report["metric"], report["margin"]) == ("loss", 0.2)
    [comparison] = report["comparisons"]
    assert comparison["metric"] == "loss"
    assert comparison["verdict"] == "different"  # a margin does not hide a real difference
    accuracy = client.get(f"/experiments/{experiment_id}/report?metric=test_accuracy").json()
    assert (accuracy["margin"], accuracy["comparisons"][0]["verdict"]) == (0.005, "equivalent")


def test_report_refuses_an_unknown_metric_or_parameter(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32]})
    unknown = client.get(f"/experiments/{experiment_id}/report?metric=f1")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.metric"
    extra = client.get(f"/experiments/{experiment_id}/report?metrics=loss")
    assert extra.status_code == 422
    assert "metrics" in extra.text
    assert client.get(f"/experiments/{experiment_id}/report?margin=0").status_code == 422


def test_report_of_a_queued_experiment_has_configs_without_figures(client: TestClient) -> None:
    created = client.post("/experiments", json={"seeds": [0, 1]}).json()
    report = client.get(f"/experiments/{created['id']}/report").json()
    assert report["status"] == "queued"
    [config] = report["configs"]
    assert (config["final_test_loss"], config["curve"], config["seeds"]) == (None, [], [])
    assert report["comparisons"] == []
    assert report["findings"] == []
    assert report["summary"] == [
        "Provisional: 2 of 2 jobs still queued or running; this answer will change."
    ]
    assert (report["provisional"], report["follow_ups"]) == (True, [])


def test_report_of_unknown_experiment_is_404(client: TestClient) -> None:
    assert client.get("/experiments/424242/report").status_code == 404


def test_presets_expand_to_the_seed_questions_runs(client: TestClient) -> None:
    asked = client.post("/experiments", json={"preset": "seed-question"}).json()
    assert asked["name"] == "seed question"
    assert [
        (j["config"]["preprocessing"]["method"], j["config"]["loss"]["mode"]) for j in asked["jobs"]
    ] == [
        ("scale", "clipped_probabilities"),
        ("none", "clipped_probabilities"),
        ("scale", "clipped_probabilities"),
    ]
    explained = client.post(
        "/experiments", json={"preset": "seed-question-explained", "name": "mine", "seeds": [7, 8]}
    ).json()
    assert explained["name"] == "mine"
    assert len(explained["jobs"]) == 3 * 2 * 2
    assert {j["seed"] for j in explained["jobs"]} == {7, 8}
    client.post(f"/experiments/{explained['id']}/cancel")
    client.post(f"/experiments/{asked['id']}/cancel")


def test_preset_with_other_fields_or_unknown_name_is_422(client: TestClient) -> None:
    mixed = client.post("/experiments", json={"preset": "seed-question", "base": {}})
    assert mixed.status_code == 422
    assert "only name, seeds and stop_early" in mixed.json()["detail"]
    unknown = client.post("/experiments", json={"preset": "mnist"})
    assert unknown.json()["errors"][0]["field"] == "preset"


def test_a_follow_up_spec_is_accepted_as_it_stands(client: TestClient, session: Session) -> None:
    experiment_id = arrange(session, {"none": [13.0, 13.1]})
    saturated(session, experiment_id)
    report = client.get(f"/experiments/{experiment_id}/report").json()
    [config] = report["configs"]
    assert [(c["name"], c["seeds"], c["of"]) for c in config["conditions"]] == [
        ("saturated_softmax", 2, 2)
    ]
    [follow_up] = report["follow_ups"]
    assert follow_up["change"] == "inputs scaled to [0, 1] (x/255)"
    created = client.post("/experiments", json=follow_up["spec"])
    assert created.status_code == 202, created.text
    jobs = created.json()["jobs"]
    assert [(j["config"]["preprocessing"]["method"], j["seed"]) for j in jobs] == [
        ("none", 0),
        ("none", 1),
        ("scale", 0),
        ("scale", 1),
    ]
    client.post(f"/experiments/{created.json()['id']}/cancel")


def saturated(session: Session, experiment_id: int) -> None:
    """Give every job of the experiment a saturated softmax from epoch 0."""
    jobs = session.scalars(select(Job.id).where(Job.experiment_id == experiment_id)).all()
    session.add_all(saturated_condition(job_id) for job_id in jobs)
    session.commit()


def test_follow_ups_run_as_one_experiment_and_the_report_waits_for_them(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"none": [13.0, 13.1]})
    saturated(session, experiment_id)
    created = client.post(f"/experiments/{experiment_id}/follow-ups")
    assert created.status_code == 202, created.text
    follow_up = created.json()
    assert follow_up["follow_up_of"] == experiment_id
    assert [(j["config"]["preprocessing"]["method"], j["seed"]) for j in follow_up["jobs"]] == [
        ("scale", 0),
        ("scale", 1),
    ]
    report = client.get(f"/experiments/{experiment_id}/report").json()
    [suggested] = report["follow_ups"]
    assert suggested["confirmation"] == {
        "experiment_id": follow_up["id"],
        "verdict": "pending",
        "statement": "2 jobs of the follow-up still to run.",
    }
    again = client.post(f"/experiments/{experiment_id}/follow-ups")
    assert again.status_code == 409
    assert "no follow-up left to run" in again.json()["detail"]
    client.post(f"/experiments/{follow_up['id']}/cancel")


def test_an_experiment_whose_report_suggests_nothing_has_no_follow_ups_to_run(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32]})
    refused = client.post(f"/experiments/{experiment_id}/follow-ups")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(f"experiment {experiment_id} has no follow-up")
    assert client.post("/experiments/424242/follow-ups").status_code == 404


def test_rediagnosis_replaces_stored_conditions_by_what_the_stored_epochs_show(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32]})
    saturated(session, experiment_id)  # not what the stored epochs show
    first = client.post(f"/experiments/{experiment_id}/rediagnose")
    assert first.json() == {"experiment_id": experiment_id, "jobs": 2, "changed": 2}
    job_id = client.get(f"/experiments/{experiment_id}").json()["jobs"][0]["id"]
    assert client.get(f"/jobs/{job_id}").json()["conditions"] == []
    again = client.post(f"/experiments/{experiment_id}/rediagnose").json()
    assert (again["jobs"], again["changed"]) == (2, 0)


def test_cancelled_jobs_are_left_out_of_the_answer_and_never_learned(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, {"scale": [0.30, 0.32], "center": [0.40, 0.41]})
    for job in session.scalars(select(Job).where(Job.experiment_id == experiment_id)):
        job.status = JobStatus.CANCELLED
    session.commit()
    report = client.get(f"/experiments/{experiment_id}/report").json()
    assert report["summary"] == ["4 jobs cancelled or failed without an outcome; left out."]
    assert [config["learned"] for config in report["configs"]] == [None, None]
