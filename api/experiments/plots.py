"""Learning curves per config: the mean over seeds with its 95% band, train and test loss and test
accuracy; below them, the last epochs zoomed so that close configs (x/255, x/1000) separate.

Figures are drawn with matplotlib's object API, never pyplot, whose state is global: requests draw
in several threads. A rendered image is cached per experiment state (see `cached`).
"""

import functools
import io
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.report.schemas import ConfigRow, Report
from api.core.palette import config_colour

ImageFormat = Literal["svg", "png"]
# (curve field, title, logarithmic axis over the whole run)
PANELS = (
    ("loss", "train loss", True),
    ("test_loss", "test loss", True),
    ("test_accuracy", "test accuracy", False),
)
# The range each metric can take: an interval (mean ± t·s/√n) may reach past it, the metric not.
RANGES = {"loss": (0.0, math.inf), "test_loss": (0.0, math.inf), "test_accuracy": (0.0, 1.0)}
# The zoom shows the configs near the best one, so that their differences fill the panel: a loss
# within twice the best loss, an accuracy within this much of the best; farther ones run off it.
NEAR_LOSS_FACTOR = 2.0
NEAR_ACCURACY = 0.1
# Renders per image format since the process started: the cache's effect, observable.
RENDERS: Counter[str] = Counter()


@dataclass(frozen=True)
class Series:
    """One config's curve of a metric: epochs, means, its band clipped to the metric's range."""

    label: str
    epochs: list[int]
    means: list[float]
    lows: list[float] | None
    highs: list[float] | None


def series(row: ConfigRow, metric: str) -> Series | None:
    """The config's curve of a metric, its band clipped to what the metric can be; None if empty."""
    points = [(p.epoch, i) for p in row.curve if (i := getattr(p, metric)) is not None]
    if not points:
        return None
    floor, ceiling = RANGES[metric]
    bands = [(i.ci_low, i.ci_high) for _, i in points]
    complete = all(low is not None and high is not None for low, high in bands)
    return Series(
        label=f"{row.label} (n={points[-1][1].n})",
        epochs=[epoch for epoch, _ in points],
        means=[i.mean for _, i in points],
        lows=[max(floor, float(low or 0)) for low, _ in bands] if complete else None,
        highs=[min(ceiling, float(high or 0)) for _, high in bands] if complete else None,
    )


def zoom_window(last_epoch: int) -> tuple[int, int]:
    """The epochs the zoom shows: the last third of the run, at least the last three epochs."""
    return max(1, last_epoch - max(2, last_epoch // 3)), last_epoch


def _window(s: Series, start: int) -> list[float]:
    kept = [i for i, epoch in enumerate(s.epochs) if epoch >= start]
    values = [s.means[i] for i in kept]
    if s.lows is not None and s.highs is not None:
        values += [s.lows[i] for i in kept] + [s.highs[i] for i in kept]
    return values


def zoom_limits(shown: Sequence[Series], metric: str, start: int) -> tuple[float, float] | None:
    """The zoom's y-range: the means and bands, from `start`, of the configs near the best."""
    finals = [s.means[-1] for s in shown if s.epochs[-1] >= start]
    if not finals:
        return None
    if metric == "test_accuracy":
        best = max(finals)
        near = [s for s in shown if s.means[-1] >= best - NEAR_ACCURACY]
    else:
        best = min(finals)
        near = [s for s in shown if s.means[-1] <= NEAR_LOSS_FACTOR * best]
    values = [v for s in near for v in _window(s, start)]
    low, high = min(values), max(values)
    pad = 0.05 * (high - low) or 0.01 * (abs(high) or 1.0)
    return low - pad, high + pad


def _draw(axes: Axes, s: Series, color: str) -> None:
    axes.plot(s.epochs, s.means, marker="o", markersize=3, color=color, label=s.label)
    if s.lows is not None and s.highs is not None:
        axes.fill_between(s.epochs, s.lows, s.highs, color=color, alpha=0.2, linewidth=0)


def _zoom(axes: Axes, shown: list[tuple[Series, str]], metric: str, last: int) -> None:
    start, end = zoom_window(last)
    for s, color in shown:
        _draw(axes, s, color)
    axes.set_xlim(start - 0.2, end + 0.2)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    limits = zoom_limits([s for s, _ in shown], metric, start)
    if limits is not None:
        axes.set_ylim(*limits)
    axes.set(title=f"epochs {start}-{end}, near the best", xlabel="epoch")


def figure(report: Report) -> Figure:
    """The report's curves: the whole run on top, the last epochs zoomed below."""
    fig = Figure(figsize=(15, 8.4), layout="constrained")
    panels = fig.subplots(2, 3)
    last = max((p.epoch for row in report.configs for p in row.curve), default=0)
    for column, (metric, title, logarithmic) in enumerate(PANELS):
        shown = [
            (s, config_colour(index))
            for index, row in enumerate(report.configs)
            if (s := series(row, metric)) is not None
        ]
        whole = panels[0][column]
        for s, color in shown:
            _draw(whole, s, color)
        whole.set(title=title, xlabel="epoch (0 = before training)")
        if logarithmic:
            whole.set_yscale("log")
        if last >= 1:
            _zoom(panels[1][column], shown, metric, last)
        for axes in (whole, panels[1][column]):
            axes.grid(alpha=0.3)
    panels[0][0].set_ylabel("mean over seeds, 95% band")
    panels[1][0].set_ylabel("the same, zoomed (linear)")
    handles, labels = panels[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize=9
        )
    fig.suptitle(f"{report.name} (experiment {report.experiment_id}, {report.status})")
    return fig


def render(report: Report, image: ImageFormat) -> bytes:
    """The report's curves as an SVG or PNG image."""
    RENDERS[image] += 1
    return image_of(figure(report), image)


def image_of(fig: Figure, image: ImageFormat) -> bytes:
    """A figure as an SVG or PNG image, at the resolution of every plot here."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=image, dpi=110)
    return buffer.getvalue()


@dataclass(frozen=True)
class PlotRequest:
    """An image of one experiment in one state; the report is built only on a cache miss."""

    experiment_id: int
    state: tuple[object, ...]
    image: ImageFormat
    report: Callable[[], Report] = field(compare=False, hash=False)


@functools.lru_cache(maxsize=128)
def cached(request: PlotRequest) -> bytes:
    """The image, rendered once per (experiment, state, format): an unchanged experiment's
    repeated requests are served from memory."""
    return render(request.report(), request.image)
