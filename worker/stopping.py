"""Stopping rules the training process applies after each epoch, from the stored rows: a job
asked to stop early, or a search trial's run, stops once its failure is certain
(analysis.conditions.certain), and a search trial's run is pruned (Optuna's median rule) when
its epoch is worse than the median of the finished trials at that epoch. A stopped run ends
succeeded with that epoch's figures and `stopped_early: {epoch, condition}`
(models.lifecycle.stop_early)."""

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import stored
from analysis.conditions import Condition
from analysis.conditions.certain import certain_fate
from analysis.report.records import load_records
from models import adaptive, lifecycle
from models.experiment import Experiment
from models.job import Job
from models.lifecycle import Attempt
from models.search_spec import SearchSpec

log = logging.getLogger(__name__)


def _searched(session: Session, job: Attempt) -> tuple[SearchSpec, int] | None:
    """The search and the trial number of a search trial's job; None for any other job."""
    trial = session.scalar(select(Job.trial).where(Job.id == job.id))
    if trial is None:
        return None
    spec = session.scalar(select(Experiment.spec).where(Experiment.id == job.experiment_id))
    search = adaptive.search(spec or {})
    return None if search is None else (search, trial)


def after_epoch(
    session: Session, job: Attempt, found: Sequence[Condition], *, stop_early: bool
) -> None:
    """Ask the run to stop after its last stored epoch if a stopping rule says so: its failure
    is certain (when the job asked to stop early, or runs a search's trial), or the pruner
    prunes its trial."""
    searched = _searched(session, job)
    # A trial whose failure is certain has told the sampler all it will (it counts as pruned),
    # and the median rule would judge it only after five complete trials.
    if (stop_early or searched is not None) and _certain(session, job, found):
        return
    if searched is not None:
        _prune(session, job, *searched)


def _certain(session: Session, job: Attempt, found: Sequence[Condition]) -> bool:
    """Stop a run whose failure the diagnosis of its stored epochs makes certain."""
    from worker.jobs import final_figures  # worker.jobs calls this module after each epoch

    last = stored.job_epochs(session, job.id)[-1]
    fate = certain_fate(found, last.epoch)
    if fate is None:
        return False
    lifecycle.stop_early(
        session, job, epoch=last.epoch, condition=fate.name.value, values=final_figures(last)
    )
    return True


def _prune(session: Session, job: Attempt, search: SearchSpec, trial: int) -> None:
    """Stop a search trial's run that the pruner judges worse than the finished trials."""
    # Only a search's trials need Optuna; other runs never import it.
    from analysis.adaptive import study
    from worker.jobs import final_figures  # worker.jobs calls this module after each epoch

    records = load_records(session, job.experiment_id)
    mine = next(record for record in records if record.id == job.id)
    running = study.Trial(trial, study.params_of(mine.config, search), [mine])
    others = [t for t in study.trials(records, search) if t.number != trial]
    try:
        prune = study.should_prune(others, running, search, mine.config["training"]["epochs"])
    except ValueError:  # the run goes on unjudged: a pruner's trouble must not fail a trial
        log.exception("job %s: the pruner could not judge epoch %s", job.id, len(mine.epochs) - 1)
        return
    if prune:
        last = mine.epochs[-1]
        lifecycle.stop_early(
            session, job, epoch=last.epoch, condition=study.PRUNED, values=final_figures(last)
        )
