"""Learning curves per config: the mean over seeds with its 95% band, train and test."""

import io
from typing import Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from api.report.schemas import ConfigRow, Interval, Report

PANELS = (
    ("loss", "train loss", True),
    ("test_loss", "test loss", True),
    ("test_accuracy", "test accuracy", False),
)
ImageFormat = Literal["svg", "png"]


def _band(axes: Axes, row: ConfigRow, metric: str, color: str) -> None:
    points = [(p.epoch, getattr(p, metric)) for p in row.curve if getattr(p, metric) is not None]
    if not points:
        return
    epochs = [epoch for epoch, _ in points]
    intervals: list[Interval] = [interval for _, interval in points]
    axes.plot(
        epochs,
        [i.mean for i in intervals],
        marker="o",
        markersize=3,
        color=color,
        label=f"{row.label} (n={intervals[-1].n})",
    )
    lows = [i.ci_low for i in intervals]
    highs = [i.ci_high for i in intervals]
    if all(v is not None for v in lows + highs):
        axes.fill_between(
            epochs,
            [float(v or 0) for v in lows],
            [float(v or 0) for v in highs],
            color=color,
            alpha=0.2,
            linewidth=0,
        )


def render(report: Report, image: ImageFormat) -> bytes:
    """The report's curves as one figure of three panels, in SVG or PNG.

    The figure is made without pyplot, whose state is global: requests draw in several threads.
    """
    figure = Figure(figsize=(15, 4.6), layout="constrained")
    panels = figure.subplots(1, 3)
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for axes, (metric, title, logarithmic) in zip(panels, PANELS, strict=True):
        for index, row in enumerate(report.configs):
            _band(axes, row, metric, colors[index % len(colors)])
        axes.set(title=title, xlabel="epoch (0 = before training)")
        if logarithmic:
            axes.set_yscale("log")
        axes.grid(alpha=0.3)
    panels[0].set_ylabel("mean over seeds, 95% band")
    handles, labels = panels[0].get_legend_handles_labels()
    if handles:
        figure.legend(
            handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize=9
        )
    figure.suptitle(f"{report.name} (experiment {report.experiment_id}, {report.status})")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image, dpi=110)
    return buffer.getvalue()
