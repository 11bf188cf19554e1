"""The filter and sort grammar of GET /jobs on rows arranged in the real database."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.base import utcnow
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.spec import JobConfig
from tests.rows import job_row

PREPROCESSINGS = [
    {"method": "none"},
    {"method": "scale", "divisor": 255},
    {"method": "scale", "divisor": 1000},
    {"method": "center"},
]
TEST_LOSSES = [13.0, 0.33, 0.37, None]


def arrange(session: Session) -> tuple[int, list[int]]:
    """An experiment of four jobs: raw, /255, /1000, center (the last without a result)."""
    experiment = Experiment(name="queries", spec={})
    session.add(experiment)
    jobs = []
    for seed, (preprocessing, test_loss) in enumerate(
        zip(PREPROCESSINGS, TEST_LOSSES, strict=True)
    ):
        config = JobConfig.model_validate({"preprocessing": preprocessing}).resolved()
        job = job_row(
            experiment,
            config,
            seed,
            epochs=5,
            status=JobStatus.SUCCEEDED if test_loss else JobStatus.QUEUED,
            final_test_loss=test_loss,
            stuck=test_loss is not None and test_loss > 10,
            finished_at=utcnow() if test_loss else None,
        )
        session.add(job)
        jobs.append(job)
    session.commit()
    return experiment.id, [job.id for job in jobs]


def ids(client: TestClient, experiment_id: int, query: str) -> list[int]:
    """The ids GET /jobs returns for a raw query string, within one experiment."""
    response = client.get(f"/jobs?experiment_id={experiment_id}&{query}")
    assert response.status_code == 200, response.text
    return [job["id"] for job in response.json()["items"]]


def test_config_paths_filter_with_in_lists_and_negation(
    client: TestClient, session: Session
) -> None:
    experiment_id, jobs = arrange(session)
    assert ids(client, experiment_id, "preprocessing.method=none") == [jobs[0]]
    assert ids(client, experiment_id, "preprocessing.method=none,center") == [jobs[0], jobs[3]]
    assert ids(client, experiment_id, "config.preprocessing.divisor=255") == [jobs[1]]
    assert ids(client, experiment_id, "preprocessing.divisor>=255") == [jobs[1], jobs[2]]
    assert ids(client, experiment_id, "preprocessing.method!=scale") == [jobs[0], jobs[3]]
    assert ids(client, experiment_id, "training.learning_rate=0.001&seed>=2") == [jobs[2], jobs[3]]


def test_result_and_summary_values_compare(client: TestClient, session: Session) -> None:
    experiment_id, jobs = arrange(session)
    assert ids(client, experiment_id, "result.test_loss<0.35") == [jobs[1]]
    assert ids(client, experiment_id, "result.test_loss%3C0.35") == [jobs[1]]  # as browsers send it
    assert ids(client, experiment_id, "summary.stuck=true") == [jobs[0]]
    assert ids(client, experiment_id, "status=queued") == [jobs[3]]
    assert ids(client, experiment_id, "created_at>2000-01-01T00:00:00") == jobs


def test_sort_on_any_field_pages_by_cursor_without_gaps_or_repeats(
    client: TestClient, session: Session
) -> None:
    experiment_id, jobs = arrange(session)
    assert ids(client, experiment_id, "sort=result.test_loss") == [
        jobs[1],
        jobs[2],
        jobs[0],
        jobs[3],
    ]
    assert ids(client, experiment_id, "sort=result.test_loss&desc=true") == [
        jobs[0],
        jobs[2],
        jobs[1],
        jobs[3],
    ]
    assert ids(client, experiment_id, "sort=preprocessing.method") == [
        jobs[3],
        jobs[0],
        jobs[1],
        jobs[2],
    ]
    seen: list[int] = []
    cursor = ""
    while True:
        page: dict[str, Any] = client.get(
            f"/jobs?experiment_id={experiment_id}&sort=result.test_loss&limit=1{cursor}"
        ).json()
        seen += [job["id"] for job in page["items"]]
        if len(seen) == 1:  # a row added mid-way lands in its place, not in a page already read
            extra = session.get(Job, jobs[3])
            assert extra is not None
            extra.final_test_loss = 0.5
            session.commit()
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [jobs[1], jobs[2], jobs[3], jobs[0]]


def test_bad_filters_are_422_naming_the_problem(client: TestClient) -> None:
    unknown = client.get("/jobs?preprocessing.scale=1")
    assert unknown.status_code == 422
    assert "preprocessing.scale: not a filterable field; allowed:" in unknown.json()["detail"]
    assert "result.test_loss" in unknown.json()["detail"]
    typed = client.get("/jobs?result.test_loss<low")
    assert typed.status_code == 422
    assert typed.json()["detail"].startswith("query.result.test_loss: cannot read 'low'")
    assert client.get("/jobs?status=sleeping").status_code == 422
    assert client.get("/jobs?summary.stuck=maybe").status_code == 422
    assert client.get("/jobs?preprocessing.method<none,scale").status_code == 422
    assert client.get("/jobs?sort=summary.stuck").status_code == 422
    assert client.get("/jobs?justtext").status_code == 422
