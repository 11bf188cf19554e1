"""`normlab.Client` against the real service: submit, wait, DataFrames, report, cancel."""

import sys

import pytest

from harness.service import Service
from normlab import ApiError, Client
from tests.integration.kinds import ANY_DATABASE
from tests.integration.terminal import run_in_terminal, terminal_env

pytestmark = [pytest.mark.integration, ANY_DATABASE]
SMALL = {"dataset": {"train_size": 1000, "test_size": 300}, "training": {"epochs": 2}}
VARIANTS = [
    {"preprocessing": {"method": "scale", "divisor": 255}},
    {"preprocessing": {"method": "none"}},
]


def test_submit_wait_and_read_the_results_as_dataframes(service: Service) -> None:
    client = Client(f"http://127.0.0.1:{service.port}")
    spec = {"base": SMALL, "variants": VARIANTS, "seeds": [0, 1]}
    submitted = client.submit(spec, name="from python")
    assert submitted["name"] == "from python"
    ended = client.wait(submitted, progress=True)  # not a terminal here: no bar drawn
    assert ended["status"] == "succeeded"
    metrics = client.metrics(submitted["id"])
    assert len(metrics) == 4 * 3  # four jobs, epochs 0 to 2
    assert sorted(metrics["label"].unique()) == ["raw pixels", "x/255"]
    means = metrics.groupby(["label", "epoch"])["test_loss"].mean()
    assert means[("x/255", 2)] < means[("raw pixels", 2)]
    jobs = client.jobs(submitted["id"])
    assert list(jobs["job_id"]) == [job["id"] for job in submitted["jobs"]]
    assert set(jobs["status"]) == {"succeeded"}
    # One vocabulary: the same identity and config columns in both frames.
    assert list(jobs.columns[:19]) == list(metrics.columns[:19])
    last = metrics[metrics["epoch"] == 2].set_index("job_id")
    for row in jobs.itertuples():
        assert row.label == last.loc[row.job_id, "label"]
        assert row.test_loss == pytest.approx(last.loc[row.job_id, "test_loss"])
    report = client.report(submitted, metric="test_accuracy")
    assert report["metric"] == "test_accuracy"
    assert report["summary"]
    with pytest.raises(ApiError, match="409"):
        client.cancel(submitted)


def test_a_preset_submitted_then_cancelled_ends_cancelled(service: Service) -> None:
    client = Client(f"http://127.0.0.1:{service.port}")
    submitted = client.submit("seed-question", name="cancelled at once", seeds=[3])
    assert [job["seed"] for job in submitted["jobs"]] == [3, 3, 3]
    client.cancel(submitted["id"])
    ended = client.wait(submitted["id"], progress=False)
    assert ended["status"] == "cancelled"
    assert set(client.jobs(submitted)["status"]) == {"cancelled"}


def test_wait_draws_one_bar_in_a_terminal(service: Service) -> None:
    client = Client(f"http://127.0.0.1:{service.port}")
    submitted = client.submit({"base": SMALL, "seeds": [0, 1]})
    code = f"import normlab; normlab.Client({client.http.url!r}).wait({submitted['id']})"
    screen = run_in_terminal(
        [sys.executable, "-c", code], terminal_env(), columns=80, rows=24, timeout=600
    )
    assert screen.returncode == 0, screen.text()
    bars = [line for line in screen.lines if line.startswith(f"experiment {submitted['id']} ")]
    assert len(bars) == 1, screen.text()
    assert "4/4 epochs, 2/2 jobs ended" in bars[0]
    assert max(len(line) for line in screen.lines) <= 80


def test_errors_are_api_errors_with_the_problem_detail(service: Service) -> None:
    client = Client(f"http://127.0.0.1:{service.port}")
    with pytest.raises(ApiError, match=r"^404: experiment 999999 not found$") as missing:
        client.experiment(999999)
    assert (missing.value.status, missing.value.title) == (404, "Not found")
    assert (missing.value.detail, missing.value.errors) == ("experiment 999999 not found", [])
    with pytest.raises(
        ApiError,
        match=r"^422: .*with a preset only name, seeds and stop_early may be given, not base$",
    ):
        client.submit("seed-question", base=SMALL)
    with pytest.raises(ApiError) as invalid:
        client.submit({"base": {"preprocessing": {"method": "bogus"}}, "seeds": [-1]})
    assert (invalid.value.status, invalid.value.title) == (422, "Invalid request")
    fields = [error["field"] for error in invalid.value.errors]
    assert fields == ["base.preprocessing.method", "seeds.0"]
    assert "'standardize'" in invalid.value.errors[0]["message"]
    with pytest.raises(ApiError, match="URL must be") as unusable:
        Client("127.0.0.1:8000")
    assert (unusable.value.status, unusable.value.errors) == (None, [])
