"""A search's answer: its trials, the best config with its seeds' spread (a winner among the
finalists once they ran on more seeds), each path's importance and where each problem
condition appears in the space."""

import math
from collections import Counter
from collections.abc import Sequence

from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances
from optuna.trial import TrialState

from analysis.adaptive import study
from analysis.adaptive.regions import Point, regions
from analysis.report.comparisons import Metric, best_group
from analysis.report.groups import ConfigGroup
from analysis.report.schemas import FinalistOut, Interval, SearchOut, TrialOut
from models.condition import ConditionKind
from models.search_spec import SearchRange, SearchSpec

# Fewer complete trials than this and an importance says more about noise than about the space.
MIN_TRIALS_FOR_IMPORTANCE = 4


def finalist_groups(groups: Sequence[ConfigGroup]) -> list[ConfigGroup]:
    """The configs run again on more seeds than a trial has: the finalists."""
    return [group for group in groups if any(job.trial is None for job in group.records)]


def _problems(trial: study.Trial) -> frozenset[tuple[str, str]]:
    """The problem conditions most of the trial's seeds show."""
    seen = Counter(
        (c.name, c.subject)
        for job in trial.jobs
        for c in job.conditions
        if c.kind == ConditionKind.PROBLEM
    )
    return frozenset(key for key, n in seen.items() if 2 * n > len(trial.jobs))


def trial_out(trial: study.Trial, label: str, metric: Metric) -> TrialOut:
    """One trial as the report shows it."""
    state, value = trial.state(metric)
    pruned = [job.stopped_early["epoch"] for job in trial.jobs if job.stopped_early]
    return TrialOut(
        number=trial.number,
        label=label,
        params=trial.params,
        state=state.name.lower(),
        value=value if value is not None or not pruned else _mean_final(trial, metric),
        pruned_at=min(pruned) if pruned else None,
        problems=sorted(
            name if subject == "job" else f"{name} ({subject})"
            for name, subject in _problems(trial)
        ),
    )


def _mean_final(trial: study.Trial, metric: Metric) -> float | None:
    """The mean final figure over the trial's seeds that have one (a pruned seed's is its
    figure at the epoch it was stopped after)."""
    finals = [v for job in trial.jobs if (v := (job.final or {}).get(metric.value)) is not None]
    finite = [v for v in finals if math.isfinite(v)]
    return math.fsum(finite) / len(finite) if finite else None


def finalist_out(group: ConfigGroup, search: SearchSpec, metric: Metric) -> FinalistOut:
    """A config with its final metric over all its seeds."""
    return FinalistOut(
        label=group.label,
        params=study.params_of(group.config, search),
        final=Interval.of(group.final_summary(metric)),
    )


def importances(found: Sequence[study.Trial], search: SearchSpec) -> dict[str, float]:
    """Optuna's PED-ANOVA importance of each path over the complete trials (it needs no
    scikit-learn); empty with too few."""
    metric = Metric(search.metric)
    complete = [t for t in found if t.state(metric)[0] is TrialState.COMPLETE]
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}
    study_ = study.study_of(complete, search)
    found_ = get_param_importances(study_, evaluator=PedAnovaImportanceEvaluator())
    return {path: float(value) for path, value in found_.items() if math.isfinite(value)}


def _scales(search: SearchSpec) -> dict[str, str]:
    return {
        path: ("log" if d.log else "linear") if isinstance(d, SearchRange) else "choices"
        for path, d in search.space.items()
    }


def search_out(groups: Sequence[ConfigGroup], search: SearchSpec, *, searched: bool) -> SearchOut:
    """The search's answer from its config groups (their jobs carry the trials)."""
    metric = Metric(search.metric)
    labels = {group.key: group.label for group in groups}
    found = study.trials([job for group in groups for job in group.records], search)
    trials = [trial_out(t, labels[t.jobs[0].config_key], metric) for t in found]
    finalists = [finalist_out(g, search, metric) for g in finalist_groups(groups)]
    best_finalist = best_group(finalist_groups(groups), metric)
    by_label = {g.label: g for g in groups}
    complete = [t for t in trials if t.value is not None and t.state == "complete"]
    pick = max if metric.higher_is_better else min
    best_trial = pick(complete, key=lambda t: t.value or 0.0) if complete else None
    best = best_finalist or (by_label[best_trial.label] if best_trial else None)
    points = [
        Point(t.params, _problems(t)) for t in found if t.state(metric)[0] is not TrialState.RUNNING
    ]
    return SearchOut(
        metric=metric,
        trials=trials,
        best=finalist_out(best, search, metric) if best else None,
        finalists=finalists,
        importances=importances(found, search) if searched else {},
        regions=regions(points, _scales(search)),
    )


def sentences(found: SearchOut, searched: bool) -> list[str]:
    """The search's answer in a few sentences, before the report's own."""
    pruned = sum(1 for t in found.trials if t.state == "pruned")
    head = "Best" if searched else "Best so far"
    said = [f"{len(found.trials)} trials, {pruned} pruned."]
    if found.best is not None and found.best.final is not None:
        final = found.best.final
        spread = (
            f" (95% CI {final.ci_low:.4g} to {final.ci_high:.4g} over {final.n} seeds)"
            if final.ci_low is not None and final.ci_high is not None
            else f" ({final.n} seed{'s' if final.n != 1 else ''})"
        )
        metric = found.metric.replace("_", " ")
        said.insert(0, f"{head}: {found.best.label}, {metric} {final.mean:.4g}{spread}.")
    if found.importances:
        ranked = sorted(found.importances.items(), key=lambda item: -item[1])
        said.append("Importance (PED-ANOVA): " + ", ".join(f"{p} {v:.2f}" for p, v in ranked) + ".")
    return said + found.regions
