"""When a job's fate is certain, so that a job asked to stop early may stop: a clipped stall
held for STOP_PATIENCE trained epochs, or a run at chance for as long because of dead units, an
explosion or vanishing gradients.

Why none of these is lifted by more epochs: a sample at the 1e-7 clip gives exactly no gradient,
so the weights that put it there are never pushed back; a dead ReLU unit passes no gradient to
its own weights and never revives; weights an explosion threw off leave the units dead; a
vanishing gradient moves the first layer by a vanishing step. Measured (docs/adaptive.md,
Stopping early): in 27 runs of 12 epochs, no clipped stall ended and no accuracy rose after it
began, and no run at chance from these causes for two epochs left chance. Saturated units are not
on the list: every saturated run measured learned, so none shows what happens at chance.
"""

from collections.abc import Sequence

from analysis.conditions.base import Condition
from models.condition import ConditionName as Name

STOP_PATIENCE = 2
AT_CHANCE_FOR_GOOD = frozenset({Name.DEAD_UNITS, Name.EXPLODED, Name.VANISHING_GRADIENTS})


def certain_fate(found: Sequence[Condition], epoch: int) -> Condition | None:
    """The condition that makes the run's failure certain at this epoch, if one does."""
    held = {c.name: c for c in found}
    stall = held.get(Name.CLIPPED_STALL)
    if stall is not None and epoch - stall.epoch + 1 >= STOP_PATIENCE:
        return stall
    chance = held.get(Name.AT_CHANCE)
    if chance is None or chance.caused_by not in AT_CHANCE_FOR_GOOD:
        return None
    return held[chance.caused_by] if epoch - chance.epoch + 1 >= STOP_PATIENCE else None
