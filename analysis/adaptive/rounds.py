"""What an adaptive experiment runs next: its first round when it is submitted, then, once a
round's jobs have ended (or a search has a free place), the next round or why it stops.

Both the API (the first round) and the worker's advance task (every later one) ask here; the
fenced write of a round is models.rounds'.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from optuna.trial import TrialState

from analysis.adaptive import study
from analysis.adaptive.sequential import SeedDesign, Stop, decide
from analysis.labels import labels
from analysis.report.comparisons import Metric
from analysis.report.groups import ConfigGroup, group_jobs
from analysis.report.records import JobRecord
from models import adaptive
from models.config_paths import with_values
from models.experiment_spec import ExperimentSpec
from models.job import ACTIVE_STATUSES, JobStatus
from models.search_spec import SearchSpec
from models.seed_rounds import SeedRounds
from models.spec import JobConfig


@dataclass(frozen=True)
class NewJob:
    """A job a round adds: its config, its seed, and its search trial if it runs one."""

    config: JobConfig
    seed: int
    trial: int | None = None


@dataclass(frozen=True)
class Step:
    """What to do now: add `jobs` with the round's `record`, stop, or nothing (wait)."""

    jobs: list[NewJob] = field(default_factory=list)
    record: dict[str, Any] | None = None
    stopped: Stop | None = None


def first_round(spec: ExperimentSpec) -> Step:
    """The jobs a spec starts with; an adaptive one's round record too."""
    search = spec.search
    if search is not None:
        return _ask([], search, spec.base.model_dump(), min(search.parallel, search.trials))
    jobs = [NewJob(config, seed) for config, seed in spec.expand()]
    if not isinstance(spec.seeds, SeedRounds):
        return Step(jobs)
    names = labels([config.model_dump(mode="json") for config in spec.configs()])
    return Step(jobs, {"seeds": dict.fromkeys(names, spec.seeds.min)})


def next_step(records: Sequence[JobRecord], spec: dict[str, Any]) -> Step:
    """After a job ended: the next round, a stop, or nothing yet."""
    if any(job.status == JobStatus.CANCELLED for job in records):
        return Step(stopped=Stop.CANCELLED)
    search = adaptive.search(spec)
    if search is not None:
        return _next_search_step(records, search, spec["base"])
    rounds = adaptive.seed_rounds(spec)
    if rounds is None or any(job.status in ACTIVE_STATUSES for job in records):
        return Step()
    groups = group_jobs(records)
    decision = decide(groups, SeedDesign(rounds, len(groups)))
    if decision.stopped is not None:
        return Step(stopped=decision.stopped)
    return Step(_more_seeds(groups, decision.seeds), _seeds_record(groups, decision.seeds))


def _more_seeds(groups: Sequence[ConfigGroup], seeds: dict[str, int]) -> list[NewJob]:
    """Each config's seeds from those it ran up to its count after the round."""
    return [
        NewJob(JobConfig.model_validate(group.config), seed)
        for group in groups
        for seed in range(len(group.records), seeds[group.key])
    ]


def _seeds_record(groups: Sequence[ConfigGroup], seeds: dict[str, int]) -> dict[str, Any]:
    return {"seeds": {group.label: seeds[group.key] for group in groups}}


def _next_search_step(
    records: Sequence[JobRecord], search: SearchSpec, base: dict[str, Any]
) -> Step:
    found = study.trials(records, search)
    metric = Metric(search.metric)
    running = sum(1 for trial in found if trial.state(metric)[0] is TrialState.RUNNING)
    if len(found) < search.trials:
        count = min(search.parallel - running, search.trials - len(found))
        return _ask(found, search, base, count) if count > 0 else Step()
    if any(job.status in ACTIVE_STATUSES for job in records):
        return Step()
    finalists_ran = any(job.trial is None for job in records)
    extra = range(search.seeds_per_trial, search.finalist_seeds)
    if finalists_ran or not extra or not search.finalists:
        return Step(stopped=Stop.SEARCHED)
    return _finalists(records, found, search, extra)


def _ask(
    found: Sequence[study.Trial], search: SearchSpec, base: dict[str, Any], count: int
) -> Step:
    """`count` new trials, each on seeds 0 to seeds_per_trial - 1."""
    first = len(found)
    jobs = [
        NewJob(with_values(base, params), seed, first + number)
        for number, params in enumerate(study.ask(found, search, count))
        for seed in range(search.seeds_per_trial)
    ]
    return Step(jobs, {"trials": first + count})


def _finalists(
    records: Sequence[JobRecord], found: Sequence[study.Trial], search: SearchSpec, extra: range
) -> Step:
    """The best complete trials' configs, distinct, run again on the finalists' extra seeds."""
    metric = Metric(search.metric)
    scored = [(value, t) for t in found if (value := t.state(metric)[1]) is not None]
    scored.sort(key=lambda pair: -pair[0] if metric.higher_is_better else pair[0])
    best = list({t.jobs[0].config_key: t for _, t in scored}.values())[: search.finalists]
    if not best:
        return Step(stopped=Stop.SEARCHED)
    names = {group.key: group.label for group in group_jobs(records)}
    jobs = [
        NewJob(JobConfig.model_validate(t.jobs[0].config), seed) for t in best for seed in extra
    ]
    finalists = [names[t.jobs[0].config_key] for t in best]
    return Step(jobs, {"trials": len(found), "finalists": finalists})
