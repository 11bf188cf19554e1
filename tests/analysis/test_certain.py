"""When a run's failure is certain: built to trigger, and built not to."""

from analysis.conditions.base import Condition
from analysis.conditions.certain import certain_fate
from models.condition import ConditionKind, ConditionName

Name = ConditionName


def held(name: Name, since: int, caused_by: Name | None = None) -> Condition:
    """A problem held from `since`, following from `caused_by`."""
    return Condition(name, ConditionKind.PROBLEM, since, "", {}, caused_by=caused_by)


def test_a_clipped_stall_is_certain_after_two_trained_epochs() -> None:
    stall = held(Name.CLIPPED_STALL, 1, Name.SATURATED_SOFTMAX)
    assert certain_fate([stall], 1) is None
    assert certain_fate([stall], 2) is stall


def test_a_run_at_chance_from_dead_units_an_explosion_or_vanishing_gradients_is_certain() -> None:
    for cause in (Name.DEAD_UNITS, Name.EXPLODED, Name.VANISHING_GRADIENTS):
        root = held(cause, 1)
        chance = held(Name.AT_CHANCE, 2, cause)
        assert certain_fate([root, chance], 2) is None  # at chance for one epoch only
        assert certain_fate([root, chance], 3) is root


def test_at_chance_with_no_cause_or_from_saturated_units_is_not_certain() -> None:
    assert certain_fate([held(Name.AT_CHANCE, 1)], 5) is None
    saturated = held(Name.SATURATED_UNITS, 0)
    assert certain_fate([saturated, held(Name.AT_CHANCE, 1, Name.SATURATED_UNITS)], 5) is None
    assert certain_fate([held(Name.DEAD_UNITS, 1)], 5) is None  # dead units, yet learning
