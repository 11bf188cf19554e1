"""What the plot shows: bands within each metric's range, the last epochs zoomed, and an image
rendered once per experiment state."""

import numpy as np
from fastapi.testclient import TestClient
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from sqlalchemy.orm import Session

from analysis.report.schemas import ConfigRow, CurvePoint, Interval, Report
from api.experiments import plots
from models.event import STATUS, job_event
from models.job import JobStatus
from models.spec import JobConfig
from tests.api.test_plots import arrange
from tests.rows import job_row

EPOCHS = 9


def interval(mean: float, half: float) -> Interval:
    """Five seeds' mean with an interval of this half-width."""
    return Interval(n=5, mean=mean, std=half, ci_low=mean - half, ci_high=mean + half)


def row(label: str, final_loss: float, half: float) -> ConfigRow:
    """A config whose losses fall to `final_loss`, its accuracy rising as far as the loss allows."""
    curve = [
        CurvePoint(
            epoch=epoch,
            loss=interval(final_loss + 2.0 / (1 + epoch), half),
            test_loss=interval(final_loss + 2.0 / (1 + epoch), half),
            test_accuracy=interval(max(0.1, 1 - final_loss / 4 - 0.3 / (1 + epoch)), half),
        )
        for epoch in range(EPOCHS + 1)
    ]
    return ConfigRow(
        key=label, label=label, config={}, job_ids=[], seeds=[], learned=True,
        final_loss=None, final_accuracy=None, final_test_loss=None, final_test_accuracy=None,
        stuck_seeds=0, conditions=[], curve=curve,
    )  # fmt: skip


def report(*rows: ConfigRow) -> Report:
    """A report of made-up curves."""
    return Report(
        experiment_id=1, name="made up", status="succeeded", provisional=False, summary=[],
        chance_loss=2.3,
        metric="test_loss", margin=0.01, best=None, configs=list(rows), comparisons=[],
        findings=[], follow_ups=[],
    )  # fmt: skip


def band_ys(axes: Axes) -> np.ndarray:
    """The y of every vertex of the bands drawn on an axes."""
    bands = [c for c in axes.collections if isinstance(c, PolyCollection)]
    assert bands
    return np.concatenate(
        [np.asarray(path.vertices)[:, 1] for band in bands for path in band.get_paths()]
    )


def test_bands_wider_than_the_metrics_range_are_clipped_to_it() -> None:
    figure = plots.figure(report(row("x/255", 0.05, 0.6), row("x/1000", 0.1, 0.9)))
    top, bottom = figure.axes[:3], figure.axes[3:6]
    for panel in (top, bottom):
        assert band_ys(panel[0]).min() == 0.0  # a loss band stops at 0
        assert band_ys(panel[1]).min() == 0.0
        accuracy = band_ys(panel[2])
        assert (accuracy.min(), accuracy.max()) == (0.0, 1.0)
    assert top[2].get_yscale() == "linear"
    assert (top[0].get_yscale(), top[1].get_yscale()) == ("log", "log")


def test_the_zoom_shows_the_last_epochs_and_separates_close_configs_from_a_far_one() -> None:
    close = (row("x/255", 0.30, 0.004), row("x/1000", 0.32, 0.004), row("raw pixels", 11.0, 0.5))
    figure = plots.figure(report(*close))
    zoom = figure.axes[4]  # test loss, zoomed
    start, end = plots.zoom_window(EPOCHS)
    assert (start, end) == (6, 9)
    low, high = zoom.get_xlim()
    assert low < start <= end < high
    assert low > start - 1
    bottom, top = zoom.get_ylim()
    final_255, final_1000 = (0.30 + 2.0 / 10, 0.32 + 2.0 / 10)
    assert bottom < final_255 < final_1000 < top
    assert top - bottom < 0.2  # their gap of 0.02 is a tenth of the panel or more
    assert top < 11.0  # the far config runs off the zoom
    assert [t.get_text() for t in figure.legends[0].get_texts()] == [
        "x/255 (n=5)", "x/1000 (n=5)", "raw pixels (n=5)",
    ]  # fmt: skip


def test_an_unchanged_experiment_is_rendered_once_and_a_changed_one_again(
    client: TestClient, session: Session
) -> None:
    experiment_id = arrange(session, "cached plot", 0.3)
    url = f"/experiments/{experiment_id}/plot.svg"
    before = plots.RENDERS["svg"]
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert plots.RENDERS["svg"] == before + 1
    assert client.get(f"/experiments/{experiment_id}/plot.png").status_code == 200
    assert plots.RENDERS["svg"] == before + 1  # another format is another image

    client.patch(f"/experiments/{experiment_id}", json={"name": "renamed plot"})
    renamed = client.get(url)
    assert plots.RENDERS["svg"] == before + 2
    assert b"renamed plot" in renamed.content

    config = JobConfig.model_validate({"training": {"epochs": 2}}).resolved()
    experiment = arrange_more(session, experiment_id, config)
    assert experiment is not None
    client.get(url)
    assert plots.RENDERS["svg"] == before + 3  # a job ended: a new state


def arrange_more(session: Session, experiment_id: int, config: JobConfig) -> int:
    """A third job of the experiment, failed, with the event its ending writes."""
    from models.experiment import Experiment

    experiment = session.get(Experiment, experiment_id)
    assert experiment is not None
    job = job_row(experiment, config, 2, status=JobStatus.FAILED)
    session.add(job)
    session.flush()
    session.execute(job_event(job.id, experiment_id, STATUS, status="failed"))
    session.commit()
    return job.id
