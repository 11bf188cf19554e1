"""An adaptive experiment's rounds: adding one with its jobs, and stopping.

Adding a round is a conditional update on the experiment row, fenced on how many rounds it
has (`UPDATE ... WHERE rounds_done = k AND stopped IS NULL`): two processes that saw the same
round end (two jobs ending at once) cannot both add the next one; the loser writes nothing and
its transaction is rolled back. A stop is fenced the same way, so a round added meanwhile is
never hidden by a stale decision to stop.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import lifecycle
from models.experiment import Experiment
from models.job import Job
from models.spec import JobConfig


@dataclass(frozen=True)
class Fence:
    """The experiment as a round's decision saw it: its id, rounds and their records, and
    whether its jobs stop early (so do a later round's)."""

    experiment_id: int
    rounds_done: int
    rounds: Sequence[dict[str, Any]]
    stop_early: bool = False


def fence_of(experiment: Experiment) -> Fence:
    """What a decision about the experiment's next round must still hold when written."""
    stop_early = bool(experiment.spec.get("stop_early"))
    return Fence(
        experiment.id, experiment.rounds_done or 0, list(experiment.rounds or []), stop_early
    )


def _held(fence: Fence) -> Any:
    return (
        (Experiment.id == fence.experiment_id)
        & (Experiment.rounds_done == fence.rounds_done)
        & Experiment.stopped.is_(None)
    )


def add(
    session: Session,
    fence: Fence,
    record: dict[str, Any],
    jobs: Sequence[tuple[JobConfig, int, int | None]],
) -> list[Job] | None:
    """Add the next round, its record and its (config, seed, trial) jobs, queued; None if the
    fence no longer holds (another process added a round, or it stopped)."""
    numbered = {"round": fence.rounds_done + 1, **record}
    added = session.execute(
        update(Experiment)
        .where(_held(fence))
        .values(rounds_done=fence.rounds_done + 1, rounds=[*fence.rounds, numbered]),
        execution_options={"synchronize_session": False},
    )
    if added.rowcount != 1:  # type: ignore[attr-defined]
        return None
    rows = [
        Job(
            experiment_id=fence.experiment_id,
            config=config.model_dump(mode="json"),
            config_key=config.key(),
            seed=seed,
            epochs=config.training.epochs,
            stop_early=fence.stop_early,
            trial=trial,
        )
        for config, seed, trial in jobs
    ]
    session.add_all(rows)
    session.flush()  # ids for the events
    lifecycle.created(session, rows)
    return rows


def stop(session: Session, fence: Fence, reason: str) -> bool:
    """Stop adding rounds, saying why; False if the fence no longer holds."""
    stopped = session.execute(
        update(Experiment).where(_held(fence)).values(stopped=reason),
        execution_options={"synchronize_session": False},
    )
    return bool(stopped.rowcount == 1)  # type: ignore[attr-defined]


def cancel(session: Session, experiment_id: int, reason: str) -> None:
    """Stop an adaptive experiment a client cancelled, whatever round it is in."""
    session.execute(
        update(Experiment)
        .where(
            Experiment.id == experiment_id,
            Experiment.rounds_done.is_not(None),
            Experiment.stopped.is_(None),
        )
        .values(stopped=reason),
        execution_options={"synchronize_session": False},
    )


def begin(experiment: Experiment, record: dict[str, Any]) -> None:
    """Give an adaptive experiment, as it is stored, its first round."""
    experiment.rounds = [{"round": 1, **record}]
    experiment.rounds_done = 1
