"""The experiment pages in headless Chromium (Debian's), driven by Playwright."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import matplotlib.image
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.service import Service

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
SMALL = {"dataset": {"train_size": 1000, "test_size": 300}, "training": {"epochs": 2}}


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
    yield context.new_page()
    context.close()


def not_blank(path: Path) -> bool:
    """Whether a screenshot shows something: its pixels are not all one colour."""
    pixels = matplotlib.image.imread(path)
    return float(pixels[..., :3].std()) > 0.02


def test_finished_experiment_page_shows_its_runs_curves_and_findings(
    service: Service, page: Page, tmp_path: Path
) -> None:
    body = {"name": "browser, finished", "base": SMALL, "seeds": [0, 1]}
    experiment = service.wait_experiment(service.post("/experiments", body).json()["id"])
    page.goto(f"http://127.0.0.1:{service.port}/experiments/{experiment['id']}")
    expect(page.locator("#experiment-status")).to_have_text("succeeded")
    expect(page.locator("#jobs tr[data-job]")).to_have_count(2)
    expect(page.locator("#jobs")).to_contain_text("x/255")
    expect(page.locator("img.plot")).to_be_visible()
    page.wait_for_function("document.querySelector('img.plot').naturalWidth > 0")
    shot = tmp_path / "finished.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not_blank(shot)
    page.goto(f"http://127.0.0.1:{service.port}/ui/experiments")
    expect(page.locator("#experiments")).to_contain_text("browser, finished")


def test_page_follows_a_running_experiment_without_reloading(
    service: Service, page: Page, tmp_path: Path
) -> None:
    body = {
        "name": "browser, live",
        "base": {
            **SMALL,
            "dataset": {"train_size": 12000, "test_size": 300},
            "training": {"epochs": 4},
        },
    }
    experiment_id = service.post("/experiments", body).json()["id"]
    page.goto(f"http://127.0.0.1:{service.port}/ui/experiments/{experiment_id}")
    first = page.locator("#experiment-status").text_content()
    assert first in ("queued", "running")
    page.evaluate("window.loadedOnce = true")  # gone if the page reloaded
    expect(page.locator("#experiment-status")).to_have_text("succeeded", timeout=120_000)
    assert page.evaluate("window.loadedOnce") is True
    expect(page.locator("#jobs")).to_contain_text("epoch 4/4")
    shot = tmp_path / "live.png"
    page.screenshot(path=str(shot))
    assert not_blank(shot)
