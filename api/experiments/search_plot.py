"""A search's trials, one panel per searched path: each trial's final metric against its value
of the path, coloured by the problem condition most of its seeds show; a pruned trial is drawn
hollow at the value it had when it was stopped.

Drawn with matplotlib's object API (requests draw in several threads), cached per experiment
state like the curves (api.experiments.plots).
"""

import functools
from dataclasses import dataclass, field
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.report.schemas import Report, SearchOut, TrialOut
from api.experiments.plots import ImageFormat, PlotRequest, image_of

NO_PROBLEM = "no problem"


def _shown(value: Any) -> float | str:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _colors(trials: list[TrialOut]) -> dict[str, str]:
    """One colour per problem condition, grey for none."""
    names = sorted({t.problems[0] for t in trials if t.problems})
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return {NO_PROBLEM: "0.6"} | {name: cycle[i % len(cycle)] for i, name in enumerate(names)}


def _panel(axes: Axes, search: SearchOut, path: str, colors: dict[str, str]) -> None:
    for trial in search.trials:
        if trial.value is None:
            continue
        problem = trial.problems[0] if trial.problems else NO_PROBLEM
        hollow = trial.pruned_at is not None
        axes.scatter(
            [_shown(trial.params[path])],
            [trial.value],
            s=36,
            facecolors="none" if hollow else colors[problem],
            edgecolors=colors[problem],
        )
    values = [t.params[path] for t in search.trials]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if numeric and values and min(values) > 0 and max(values) / min(values) > 50:
        axes.set_xscale("log")
    axes.set(xlabel=path, ylabel=f"final {search.metric.replace('_', ' ')}")
    axes.grid(alpha=0.3)


def figure(report: Report) -> Figure:
    """One panel per searched path, a legend of the conditions."""
    search = report.search
    paths = list(search.trials[0].params) if search and search.trials else []
    fig = Figure(figsize=(5 * max(1, len(paths)), 4.2), layout="constrained")
    panels = fig.subplots(1, max(1, len(paths)), squeeze=False)[0]
    if search is None or not paths:
        panels[0].set(title="no trials yet")
        return fig
    colors = _colors(search.trials)
    for axes, path in zip(panels, paths, strict=True):
        _panel(axes, search, path, colors)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=color, label=name)
        for name, color in colors.items()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(5, len(handles)))
    fig.suptitle(f"{report.name}: {len(search.trials)} trials (hollow: pruned)")
    return fig


def render(report: Report, image: ImageFormat) -> bytes:
    """The trials as an SVG or PNG image."""
    return image_of(figure(report), image)


@dataclass(frozen=True)
class SearchPlot:
    """The search image of one experiment state; distinct from its curves' in the cache."""

    request: PlotRequest
    kind: str = field(default="search")


@functools.lru_cache(maxsize=64)
def cached(plot: SearchPlot) -> bytes:
    """The image, rendered once per (experiment, state, format)."""
    return render(plot.request.report(), plot.request.image)
