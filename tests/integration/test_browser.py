"""The experiment pages in headless Chromium (Debian's), driven by Playwright."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.databases import TEST_REDIS_URL
from harness.processes import stop
from harness.service import Service, running_service

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, without a sandbox; no background traffic (this machine has no internet).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 240_000
SMALL = {"dataset": {"train_size": 2000, "test_size": 500}, "training": {"epochs": 2}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    context.set_default_timeout(WAIT_MS)  # waits on training end by condition, not by time
    yield context.new_page()
    context.close()


@pytest.fixture
def paused(own_database_url: str, tmp_path: Path) -> Iterator[Service]:
    """A service of this test's own with its training worker stopped (jobs stay queued): the
    shared service's worker log must hold only its own JSON lines, not a shutdown banner."""
    with running_service(own_database_url, TEST_REDIS_URL, tmp_path) as service:
        stop(service.processes["worker"])
        yield service


def points(page: Page, chart: str) -> int:
    """How many points the chart's datasets hold now, read from the Chart.js instance."""
    count: int = page.evaluate(
        f"{datasets(chart)}.reduce((sum, d) => sum + d.data.filter((p) => p.y !== null).length, 0)"
    )
    return count


def datasets(chart: str) -> str:
    """A JavaScript expression: the datasets of the Chart.js chart on the canvas with this id."""
    return f"Chart.getChart(document.getElementById('{chart}')).data.datasets"


def coloured_pixels(page: Page, selector: str, tmp_path: Path, colour: str) -> int:
    """Pixels of about `colour` (#rrggbb) in a screenshot of the element's bounding box."""
    shot = tmp_path / f"{selector.strip('#')}.png"
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.screenshot(path=str(shot), clip=box)
    pixels = matplotlib.image.imread(shot)[..., :3] * 255
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - target).max(axis=-1) < 40).sum())


def test_experiment_page_leads_with_the_answer_and_its_curves_grow_live(
    paused: Service, page: Page, tmp_path: Path
) -> None:
    service = paused
    body = {"name": "browser, live", "base": SMALL}
    experiment_id = service.post("/experiments", body).json()["id"]
    page.goto(f"http://127.0.0.1:{service.port}/experiments/{experiment_id}")  # as a browser asks
    assert page.evaluate("document.querySelector('main section').id") == "summary"
    expect(page.locator("#jobs-body tr")).to_have_count(1)
    expect(page.locator("#experiment-status")).to_have_text("queued")
    assert points(page, "loss-chart") == 0
    page.evaluate("window.loadedOnce = true")  # gone if the page reloaded
    service.start("worker")
    page.wait_for_function(
        datasets("loss-chart") + ".some((d) => d.data.length > 0)",
    )
    assert points(page, "loss-chart") > 0
    expect(page.locator("#experiment-status")).to_have_text("succeeded", timeout=WAIT_MS)
    expect(page.locator("#jobs")).to_contain_text("epoch 2/2")
    assert page.evaluate("window.loadedOnce") is True
    # Once the jobs ended, the answer was read again: the page did not stay on "no answer yet".
    expect(page.locator("#summary-text")).not_to_contain_text("No answer yet", timeout=WAIT_MS)
    # Mean, lowest and highest seed (one seed here) for the one config, epochs 0 to 2 each.
    page.wait_for_function(datasets("loss-chart") + ".every((d) => d.data.length === 3)")
    assert coloured_pixels(page, "#loss-chart", tmp_path, "#1f77b4") > 100
    before = page.evaluate(datasets("loss-chart") + ".length")
    page.locator("#seeds").check()
    page.wait_for_function(datasets("loss-chart") + f".length === {before + 1}")
    page.locator("#log").uncheck()
    page.wait_for_function(
        "Chart.getChart(document.getElementById('loss-chart')).options.scales.y.type === 'linear'"
    )


def test_job_page_shows_config_curves_diagnostics_and_events(
    service: Service, page: Page, tmp_path: Path
) -> None:
    body = {"name": "browser, job", "base": SMALL}
    job_id = service.post("/experiments", body).json()["jobs"][0]["id"]
    service.wait_job(job_id, lambda job: job["status"] == "succeeded", 240, "the job to succeed")
    page.goto(f"http://127.0.0.1:{service.port}/ui/jobs/{job_id}")
    expect(page.locator("#config-body")).to_contain_text("preprocessing.method")
    expect(page.locator("#config-body")).to_contain_text("2000")
    page.wait_for_function(datasets("loss-chart") + ".every((d) => d.data.length === 3)")
    page.wait_for_function(datasets("diagnostic-chart") + "[0].data.length === 3")
    expect(page.locator("#events-body")).to_contain_text("epoch 2")
    expect(page.locator("#events-body")).to_contain_text("succeeded")
    expect(page.locator("#cancel")).to_be_hidden()
    assert coloured_pixels(page, "#loss-chart", tmp_path, "#1f77b4") > 100


def test_cancel_button_on_the_job_page_cancels_the_job(paused: Service, page: Page) -> None:
    service = paused
    job_id = service.post("/experiments", {"base": SMALL}).json()["jobs"][0]["id"]
    page.goto(f"http://127.0.0.1:{service.port}/ui/jobs/{job_id}")
    expect(page.locator("#job-status")).to_have_text("queued")
    page.locator("#cancel").click()
    expect(page.locator("#job-status")).to_have_text("cancelled")
    expect(page.locator("#cancel")).to_be_hidden()
    expect(page.locator("#events-body")).to_contain_text("cancelled")
    assert service.job(job_id)["status"] == "cancelled"


def test_experiments_page_searches_and_submits_a_preset(service: Service, page: Page) -> None:
    service.post("/experiments", {"name": "browser, findable", "base": SMALL})
    page.goto(f"http://127.0.0.1:{service.port}/ui/experiments")
    page.locator("#search input[name=name]").fill("FINDABLE")
    page.locator("#search button").click()
    expect(page.locator("#experiments tbody tr")).to_have_count(1)
    expect(page.locator("#experiments")).to_contain_text("browser, findable")
    page.locator("#submit input[value=json]").check()
    page.locator("#spec").fill('{"name": "browser, submitted", "seeds": [0, 0]}')
    page.locator("#submit button").click()
    expect(page.locator("#submit-error")).to_contain_text("seeds must be distinct")
    spec = {"name": "browser, submitted", "base": SMALL}
    page.locator("#spec").fill(json.dumps(spec))
    page.locator("#submit button").click()
    page.wait_for_url("**/ui/experiments/*")
    expect(page.locator("h1")).to_contain_text("browser, submitted")
    submitted = int(page.url.rsplit("/", 1)[1])
    page.locator("#rerun").click()
    page.wait_for_url(lambda url: not url.endswith(f"/{submitted}"))
    expect(page.locator("h1")).to_contain_text("browser, submitted")


def test_a_search_page_shows_its_rounds_and_charts_every_trial(
    service: Service, page: Page
) -> None:
    search = {
        "space": {
            "training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True},
            "model.activation": ["relu", "tanh"],
        },
        "trials": 3,
        "sampler": "random",
        "finalists": 1,
        "finalist_seeds": 2,
    }
    body = {"name": "browser, search", "base": SMALL, "search": search}
    experiment_id = service.post("/experiments", body).json()["id"]
    service.wait_experiment(experiment_id)
    page.goto(f"http://127.0.0.1:{service.port}/ui/experiments/{experiment_id}")
    expect(page.locator("#rounds")).to_contain_text("finalists")
    expect(page.locator("#rounds")).to_contain_text("stopped: searched")
    expect(page.locator("#search-charts canvas")).to_have_count(2)
    shown = page.evaluate(
        "[...document.querySelectorAll('#search-charts canvas')].map((c) => "
        "Chart.getChart(c).data.datasets.reduce((sum, d) => sum + d.data.length, 0))"
    )
    assert shown == [3, 3]
