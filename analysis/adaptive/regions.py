"""Where in a search's space each problem condition appears: the one threshold on a numeric
path, or the set of choices of a categorical one, that best sets apart the trials showing it
("dead units above a learning rate of about 0.02")."""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.conditions.words import condition_words

# A region is stated only when it holds at least this share of the trials that show the
# condition, and sorts at least this share of all trials right (with it inside, without it
# outside): one trial in ten may sit on the wrong side, as runs near a boundary do. Both, since
# for a rare condition almost any region sorts most trials right.
AGREEMENT = 0.9


@dataclass(frozen=True)
class Point:
    """One trial: its values of the searched paths, and the problems most of its seeds show
    (as (name, subject) pairs)."""

    params: dict[str, Any]
    problems: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Region:
    """Where a condition appears, and how many trials the statement sorts right."""

    agreement: float
    statement: str


def _cut(low: float, high: float, log: bool) -> float:
    return math.sqrt(low * high) if log and low > 0 else (low + high) / 2


def _holds(inside: Sequence[bool], shows: Sequence[bool]) -> float | None:
    """The share of trials a region sorts right, if it holds enough of those that show it."""
    showing = sum(shows)
    caught = sum(i and s for i, s in zip(inside, shows, strict=True))
    if not showing or caught < AGREEMENT * showing:
        return None
    return sum(i == s for i, s in zip(inside, shows, strict=True)) / len(shows)


def threshold(
    values: Sequence[float], shows: Sequence[bool], log: bool
) -> tuple[float, str, float] | None:
    """The cut (threshold, "above" or "below", agreement) that best splits those that show a
    condition from those that do not, holding enough of them; None if no cut does."""
    best: tuple[float, str, float] | None = None
    for low, high in itertools.pairwise(sorted(set(values))):
        cut = _cut(low, high, log)
        for side in ("above", "below"):
            inside = [(v > cut) == (side == "above") for v in values]
            agreement = _holds(inside, shows)
            if agreement is not None and (best is None or agreement > best[2]):
                best = (cut, side, agreement)
    return best


def numeric_region(
    points: Sequence[Point], key: tuple[str, str], path: str, log: bool
) -> Region | None:
    """`... above training.learning_rate of about 0.02`, if one threshold sorts the trials."""
    values = [float(point.params[path]) for point in points]
    shows = [key in point.problems for point in points]
    found = threshold(values, shows, log)
    if found is None or found[2] < AGREEMENT:
        return None
    cut, side, agreement = found
    return Region(agreement, f"{side} {path} of about {cut:.2g}")


def choice_region(points: Sequence[Point], key: tuple[str, str], path: str) -> Region | None:
    """`... with model.activation tanh`, if the choices where most trials show it sort them."""
    by_choice: dict[Any, list[bool]] = {}
    for point in points:
        by_choice.setdefault(point.params[path], []).append(key in point.problems)
    chosen = [choice for choice, shows in by_choice.items() if 2 * sum(shows) > len(shows)]
    if not chosen or len(chosen) == len(by_choice):
        return None
    inside = [point.params[path] in chosen for point in points]
    agreement = _holds(inside, [key in point.problems for point in points])
    if agreement is None or agreement < AGREEMENT:
        return None
    return Region(agreement, f"with {path} {' or '.join(str(c) for c in chosen)}")


def regions(points: Sequence[Point], space: dict[str, str]) -> list[str]:
    """One sentence per problem condition the trials show: where it appears, if one path
    sets those trials apart. `space` maps each path to "log", "linear" or "choices"."""
    keys = sorted({key for point in points for key in point.problems})
    sentences = []
    for key in keys:
        found = [
            region
            for path, scale in space.items()
            if (
                region := choice_region(points, key, path)
                if scale == "choices"
                else numeric_region(points, key, path, scale == "log")
            )
        ]
        count = sum(1 for point in points if key in point.problems)
        head = f"{condition_words(*key).capitalize()} in {count} of {len(points)} trials"
        if found:
            best = max(found, key=lambda region: region.agreement)
            sentences.append(f"{head}: those {best.statement}.")
        else:
            sentences.append(f"{head}, with no one threshold or choice setting them apart.")
    return sentences
