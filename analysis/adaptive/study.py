"""A search's Optuna study, rebuilt in memory from its stored trials whenever it is asked.

Trials are ordinary jobs (jobs.trial names the trial; seeds 0 to seeds_per_trial - 1 of one
config), so Optuna keeps no storage of its own: the study is made again from the rows each
time the search asks for trials (ask-and-tell) or a running trial's epoch is judged by the
pruner. A trial is complete when all its seeds ended with a finite figure (its value is their
mean), pruned when a seed was stopped by the pruner, running while a seed is, else failed.
"""

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState, create_trial

from analysis.labels import flatten
from analysis.report.comparisons import Metric
from analysis.report.records import JobRecord
from models.config_paths import path_kind
from models.job import ACTIVE_STATUSES
from models.search_spec import SearchRange, SearchSpec

# Optuna logs every trial it is told of; the study is rebuilt for every ask.
optuna.logging.set_verbosity(optuna.logging.WARNING)
PRUNED = "pruned"


def distributions(search: SearchSpec) -> dict[str, BaseDistribution]:
    """Each path's distribution: a float or int range (log or not), or categorical choices."""
    found: dict[str, BaseDistribution] = {}
    for path, dimension in search.space.items():
        if not isinstance(dimension, SearchRange):
            found[path] = CategoricalDistribution(dimension)
        elif path_kind(path) == "int":
            low, high = int(dimension.low), int(dimension.high)
            found[path] = IntDistribution(low, high, log=dimension.log)
        else:
            found[path] = FloatDistribution(dimension.low, dimension.high, log=dimension.log)
    return found


@dataclass(frozen=True)
class Trial:
    """One trial: its number, its config's values of the searched paths, its seeds' jobs."""

    number: int
    params: dict[str, Any]
    jobs: list[JobRecord]

    def intermediate(self, metric: Metric) -> dict[int, float]:
        """Per epoch from 1, the mean over its seeds of the metric, where finite."""
        values: dict[int, list[float]] = {}
        for job in self.jobs:
            for epoch in job.epochs[1:]:
                value = getattr(epoch, metric.value)
                if value is not None and math.isfinite(value):
                    values.setdefault(epoch.epoch, []).append(value)
        return {epoch: math.fsum(v) / len(v) for epoch, v in values.items()}

    def state(self, metric: Metric) -> tuple[TrialState, float | None]:
        """How the trial stands, and its value once complete."""
        if any(job.status in ACTIVE_STATUSES for job in self.jobs):
            return TrialState.RUNNING, None
        if any(job.stopped_early for job in self.jobs):
            return TrialState.PRUNED, None
        finals = [(job.final or {}).get(metric.value) for job in self.jobs]
        if finals and all(v is not None and math.isfinite(v) for v in finals):
            return TrialState.COMPLETE, math.fsum(v for v in finals if v is not None) / len(finals)
        return TrialState.FAIL, None


def trials(records: Sequence[JobRecord], search: SearchSpec) -> list[Trial]:
    """The search's trials in order of their numbers, from its jobs."""
    by_number: dict[int, list[JobRecord]] = {}
    for record in records:
        if record.trial is not None:
            by_number.setdefault(record.trial, []).append(record)
    return [
        Trial(number, params_of(jobs[0].config, search), jobs)
        for number, jobs in sorted(by_number.items())
    ]


def params_of(config: dict[str, Any], search: SearchSpec) -> dict[str, Any]:
    """A config's values of the searched paths."""
    flat = flatten(config)
    return {path: flat[path] for path in search.space}


def frozen(trial: Trial, search: SearchSpec) -> FrozenTrial:
    """The trial as Optuna records one."""
    metric = Metric(search.metric)
    state, value = trial.state(metric)
    return create_trial(
        state=state,
        value=value,
        params=trial.params,
        distributions=distributions(search),
        intermediate_values=trial.intermediate(metric),
    )


def study_of(found: Sequence[Trial], search: SearchSpec) -> optuna.Study:
    """An in-memory study holding the trials, with the search's sampler (seeded by how many
    trials were asked, so a rebuilt study does not repeat its draws) and pruner."""
    higher = Metric(search.metric).higher_is_better
    direction = StudyDirection.MAXIMIZE if higher else StudyDirection.MINIMIZE
    seed = search.seed + len(found)
    with warnings.catch_warnings():  # constant_liar is marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler: optuna.samplers.BaseSampler = (
            optuna.samplers.TPESampler(seed=seed, constant_liar=True)
            if search.sampler == "tpe"
            else optuna.samplers.RandomSampler(seed=seed)
        )
    study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner(search))
    for trial in found:
        study.add_trial(frozen(trial, search))
    return study


def pruner(search: SearchSpec) -> optuna.pruners.BasePruner:
    """Optuna's median rule, or none."""
    if search.pruner == "median":
        return optuna.pruners.MedianPruner()
    return optuna.pruners.NopPruner()


def ask(found: Sequence[Trial], search: SearchSpec, count: int) -> list[dict[str, Any]]:
    """The params of `count` new trials, numbered after the stored ones."""
    study = study_of(found, search)
    space = distributions(search)
    return [study.ask(space).params for _ in range(count)]


def should_prune(others: Sequence[Trial], running: Trial, search: SearchSpec, epochs: int) -> bool:
    """Whether the median rule stops a running trial's job after its last epoch, against the
    other trials; never at the last epoch, where there is nothing left to save."""
    if search.pruner == "none":
        return False
    intermediate = running.intermediate(Metric(search.metric))
    if not intermediate or max(intermediate) >= epochs:
        return False
    study = study_of(others, search)
    trial = create_trial(
        state=TrialState.RUNNING,
        params=running.params,
        distributions=distributions(search),
        intermediate_values=intermediate,
    )
    return bool(study.pruner.prune(study, trial))
