"""Which condition follows from which: a symptom names its cause, so the answer leads with roots.

A condition is caused by the first of its possible causes (in the order below) that the same
job shows. Why each link holds:
- `at_chance` follows from anything that stops learning: a clipped stall (most images give no
  gradient), an explosion (the weights were thrown off), dead units (no gradient passes a dead
  ReLU), vanishing gradients (the first layer barely moves), saturated units (a hundredth of
  the gradient passes), tiny inputs (each step moves the first layer a hundredth as far), steps
  too small to move the weights.
- `clipped_stall` follows from a saturated softmax: inputs too large for the initial weights put
  most images at the clip before the first step.
- `dead_units` follow from an explosion (a step large enough to throw the loss tenfold pushes
  units' biases below every input) or from tiny inputs (a unit's input is then nearly its bias,
  the same for every image, so a bias pushed below zero kills it on all of them).
- `vanishing_gradients` follow from saturated units: their derivative is a hundredth of its peak.
- `tiny_steps` follow from tiny inputs: a step moves a first layer fed tiny inputs a hundredth as
  far.
"""

from collections.abc import Sequence
from dataclasses import replace

from analysis.conditions.base import Condition
from models.condition import ConditionName as Name

CAUSES: dict[Name, tuple[Name, ...]] = {
    Name.AT_CHANCE: (
        Name.CLIPPED_STALL,
        Name.EXPLODED,
        Name.DEAD_UNITS,
        Name.VANISHING_GRADIENTS,
        Name.SATURATED_UNITS,
        Name.TINY_INPUTS,
        Name.TINY_STEPS,
    ),
    Name.TINY_STEPS: (Name.TINY_INPUTS,),
    Name.CLIPPED_STALL: (Name.SATURATED_SOFTMAX,),
    Name.DEAD_UNITS: (Name.EXPLODED, Name.TINY_INPUTS),
    Name.VANISHING_GRADIENTS: (Name.SATURATED_UNITS,),
}


def cause_of(condition: Condition, found: Sequence[Condition]) -> Name | None:
    """The first possible cause of the condition that the job shows too."""
    held = {c.name for c in found}
    return next((name for name in CAUSES.get(condition.name, ()) if name in held), None)


def linked(found: Sequence[Condition]) -> list[Condition]:
    """The conditions, each with the condition it follows from."""
    return [replace(c, caused_by=cause_of(c, found)) for c in found]


def roots(found: Sequence[Condition]) -> list[Condition]:
    """The conditions that follow from no other."""
    return [c for c in found if c.caused_by is None]
