"""The experiment pages in headless Chromium (Debian's), driven by Playwright."""

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from playwright.sync_api import Browser, Page, expect, sync_playwright

from analysis.report.schemas import Report
from api.experiments import plots
from harness.databases import TEST_REDIS_URL
from harness.service import WITHOUT_TRAINING, Service, running_api, running_service
from tests.integration.arranged import saturated_experiment
from tests.integration.kinds import ANY_DATABASE

pytestmark = [pytest.mark.integration, ANY_DATABASE]
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
RAW_PIXELS = {"preprocessing": {"method": "none"}}


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
    """A service of this test's own with no training worker until the test starts one (jobs
    stay queued meanwhile)."""
    with running_service(
        own_database_url, TEST_REDIS_URL, tmp_path, processes=WITHOUT_TRAINING
    ) as service:
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


def all_drawn(chart: str, epochs: int) -> str:
    """A JavaScript expression: the chart has datasets, each with a point for every epoch."""
    return (
        f"((ds) => ds.length > 0 && ds.every((d) => d.data.length === {epochs}))({datasets(chart)})"
    )


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
    expect(page.locator("#provisional")).to_be_visible()
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
    expect(page.locator("#provisional")).to_be_hidden()
    # One config: no heading stands over an empty table.
    expect(page.locator("#comparisons-body")).to_have_text(
        "No pairs: a comparison needs two configs with results."
    )
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


@pytest.fixture(scope="module")
def two_configs(service: Service) -> dict[str, Any]:
    """The seed question, small and trained: x/255 and raw pixels under the clipped loss (a
    saturated softmax from the start, stuck around a loss of 12), one seed each."""
    base = SMALL | {"loss": {"mode": "clipped_probabilities"}}
    variants = [{"preprocessing": {"method": "scale", "divisor": 255}}, RAW_PIXELS]
    body = {"name": "browser, two configs", "base": base, "variants": variants}
    experiment_id = service.post("/experiments", body).json()["id"]
    ended: dict[str, Any] = service.wait_experiment(experiment_id, timeout=WAIT_MS / 1000)
    assert ended["status"] == "succeeded", ended
    return ended


def raw_pixels_job(experiment: dict[str, Any]) -> dict[str, Any]:
    """The experiment's job that trained on raw pixels."""
    return next(
        job for job in experiment["jobs"] if job["config"]["preprocessing"]["method"] == "none"
    )


def first_root_diagnostic(job: dict[str, Any]) -> str:
    """The diagnostic the job's first root problem was found in: the one its threshold was
    held against, else the first its evidence reads."""
    root = next(c for c in job["conditions"] if c["kind"] == "problem" and not c["caused_by"])
    named: list[str] = [*root["evidence"]["thresholds"], *root["evidence"]["values"]]
    return next(name for name in named if "." in name)


def test_job_page_leads_with_its_diagnosis_and_opens_on_its_root_problem_s_diagnostic(
    service: Service, two_configs: dict[str, Any], page: Page
) -> None:
    job = service.job(raw_pixels_job(two_configs)["id"])
    page.goto(f"http://127.0.0.1:{service.port}/ui/jobs/{job['id']}")
    order = page.evaluate(
        "[...document.querySelectorAll('main > section, main > details')].map((e) => e.id)"
    )
    assert order == ["conditions", "curves", "diagnostics", "events", "config"]
    cards = page.locator("#conditions-body .finding")
    expect(cards).to_have_count(len(job["conditions"]))
    expect(cards.first).to_have_class(re.compile(r"\bproblem\b"))
    for condition in job["conditions"]:
        card = page.locator(f"#conditions-body .finding[data-name={condition['name']}]")
        expect(card).to_contain_text(condition["words"])
        if condition["follows_from"]:
            expect(card).to_contain_text(f"follows from: {condition['follows_from']}")
    expect(page.locator("#diagnostic")).to_have_value(first_root_diagnostic(job))
    page.wait_for_function(all_drawn("diagnostic-chart", 3))
    page.wait_for_function(all_drawn("loss-chart", 3))
    expect(page.locator("#events-body")).to_contain_text("succeeded")
    expect(page.locator("#cancel")).to_be_hidden()
    assert page.evaluate("document.getElementById('config').open") is False
    page.locator("#config summary").click()
    expect(page.locator("#config-body")).to_contain_text("preprocessing.method")


def test_log_ticks_do_not_crowd_and_legend_lines_are_dashed_as_their_series(
    service: Service, two_configs: dict[str, Any], page: Page
) -> None:
    job_id = raw_pixels_job(two_configs)["id"]
    page.goto(f"http://127.0.0.1:{service.port}/ui/jobs/{job_id}")
    page.wait_for_function(all_drawn("loss-chart", 3))
    # Raw pixels under the clipped loss stay within a decade (about 11 to 15): Chart.js's own
    # ticks there were 11.52, 11.53, ... on top of each other.
    axis = page.evaluate(
        """(() => {
          const y = Chart.getChart(document.getElementById('loss-chart')).scales.y;
          return { type: y.type, labels: y.ticks.map((t) => t.label),
                   at: y.ticks.map((_, i) => y.getPixelForTick(i)),
                   line: Chart.helpers.toFont(y.options.ticks.font).lineHeight };
        })()"""
    )
    assert axis["type"] == "logarithmic"
    assert 2 <= len(axis["labels"]) <= 8, axis
    assert all(axis["labels"]), axis
    assert len(set(axis["labels"])) == len(axis["labels"]), axis
    gaps = [abs(a - b) for a, b in zip(axis["at"], axis["at"][1:], strict=False)]
    assert min(gaps) > axis["line"], axis
    legend = page.evaluate(
        "Chart.getChart(document.getElementById('loss-chart')).legend.legendItems"
        ".map((i) => [i.text, i.pointStyle, i.lineDash])"
    )
    lines = page.evaluate(datasets("loss-chart") + ".map((d) => [d.label, 'line', d.borderDash])")
    assert legend == lines == [["train loss", "line", []], ["test loss", "line", [6, 4]]]


def test_a_config_has_one_colour_on_the_pages_and_in_the_plot(
    service: Service, two_configs: dict[str, Any], page: Page
) -> None:
    report = service.get_json(f"/experiments/{two_configs['id']}/report")
    legend = plots.figure(Report.model_validate(report)).legends[0]
    handles = [h for h in legend.legend_handles if isinstance(h, Line2D)]
    plotted = {
        text.get_text().rsplit(" (n=", 1)[0]: to_hex(handle.get_color())
        for handle, text in zip(handles, legend.texts, strict=True)
    }
    assert len(set(plotted.values())) == len(report["configs"]) == 2
    page.goto(f"http://127.0.0.1:{service.port}/ui/experiments/{two_configs['id']}")
    page.wait_for_function(datasets("loss-chart") + ".some((d) => d.data.length === 3)")
    drawn = page.evaluate(
        datasets("loss-chart") + ".filter((d) => !d.band).map((d) => [d.label, d.borderColor])"
    )
    assert dict(drawn) == plotted
    for config in report["configs"]:
        [job_id] = config["job_ids"]
        page.goto(f"http://127.0.0.1:{service.port}/ui/jobs/{job_id}")
        page.wait_for_function(all_drawn("loss-chart", 3))
        colours = page.evaluate(datasets("loss-chart") + ".map((d) => d.borderColor)")
        assert colours == [plotted[config["label"]]] * 2


def test_follow_ups_run_from_the_page_and_come_back_pending_with_their_experiment(
    api_only: Service, own_database_url: str, page: Page
) -> None:
    original = saturated_experiment(own_database_url, "browser, follow-ups")
    page.goto(f"http://127.0.0.1:{api_only.port}/ui/experiments/{original}")
    follow_up = page.locator("#follow-ups .finding")
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_contain_text("not run yet")
    expect(page.locator("#follow-ups-run")).to_contain_text(f"normlab follow-up {original}")
    expect(page.locator("#provisional")).to_be_hidden()
    page.locator("#run-follow-ups").click()
    page.wait_for_url(lambda url: not url.endswith(f"/{original}"))
    created = int(page.url.rsplit("/", 1)[1])
    # No worker here: its jobs stay queued, so its answer is provisional.
    expect(page.locator("#provisional")).to_be_visible()
    page.goto(f"http://127.0.0.1:{api_only.port}/ui/experiments/{original}")
    expect(follow_up.locator(".verdict")).to_have_text("pending")
    expect(follow_up.locator(f"a[href='/ui/experiments/{created}']")).to_be_visible()
    expect(page.locator("#follow-ups-run")).to_be_hidden()


def test_a_seed_stopped_early_is_marked_where_it_stopped(
    api_only: Service, own_database_url: str, page: Page
) -> None:
    stop = {"epoch": 1, "condition": "clipped_stall"}
    experiment = saturated_experiment(own_database_url, "browser, stopped", stopped_early=stop)
    page.goto(f"http://127.0.0.1:{api_only.port}/ui/experiments/{experiment}")
    page.locator("#seeds").check()
    seed_lines = datasets("loss-chart") + ".filter((d) => d.label.includes(' · seed '))"
    page.wait_for_function(f"{seed_lines}.length === 2")
    lines = page.evaluate(f"{seed_lines}.map((d) => [d.label, d.pointStyle])")
    assert lines == [
        ["raw pixels · seed 0", ["circle", "circle"]],
        ["raw pixels · seed 1 (stopped early at epoch 1: clipped_stall)", ["circle", "rectRot"]],
    ]
    means = page.evaluate(datasets("loss-chart") + ".map((d) => d.label)")
    assert "raw pixels (1 of 2 seeds stopped early)" in means
    seed_1 = api_only.get_json(f"/experiments/{experiment}")["jobs"][1]["id"]
    page.goto(f"http://127.0.0.1:{api_only.port}/ui/jobs/{seed_1}")
    expect(page.locator("#progress")).to_have_text(
        "epoch 1/1 · stopped early at epoch 1: clipped_stall"
    )


def test_cancel_button_on_the_job_page_cancels_the_job(api_only: Service, page: Page) -> None:
    service = api_only
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


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        # Redoc's credit link shows a logo once it has loaded, and drops it if the fetch fails.
        ("/redoc", 'img[alt="redocly logo"]'),
        ("/docs", ".swagger-ui .info"),
        ("/", "#experiments"),
    ],
)
def test_the_docs_and_the_root_fetch_nothing_from_another_host(
    page: Page, own_database_url: str, tmp_path: Path, path: str, shown: str
) -> None:
    with running_api(own_database_url, TEST_REDIS_URL, tmp_path) as service:
        origin = f"http://127.0.0.1:{service.port}"
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(origin + path)
        expect(page.locator(shown)).to_be_visible(timeout=60_000)
        page.wait_for_load_state("networkidle")
    outside = [url for url in requested if not url.startswith((origin + "/", "data:", "blob:"))]
    assert requested
    assert outside == []


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
