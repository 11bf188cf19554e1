"""Suggested follow-ups: for each problem a config shows, an experiment that tests the explanation.

Each is a ready-to-POST spec: the config as it ran and the same config with the one change that
should remove the problem, on the same seeds, so the pair is compared like any other.
"""

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from analysis.report.groups import ConfigGroup
from models.condition import ConditionName

Change = Callable[[dict[str, Any]], tuple[dict[str, Any], str] | None]


def _scale(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    if config["preprocessing"] == {"method": "scale", "divisor": 255}:
        return None
    return {"preprocessing": {"method": "scale", "divisor": 255}}, "inputs scaled to [0, 1] (x/255)"


def _logits(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    if config["loss"]["mode"] == "from_logits":
        return None
    return {"loss": {"mode": "from_logits"}}, "the loss computed from the logits"


def _slower(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    rate = config["training"]["learning_rate"] / 10
    return {"training": {"learning_rate": rate}}, f"a learning rate ten times smaller ({rate:g})"


def _relu(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    if config["model"]["activation"] == "relu":
        return None
    return {
        "model": {"activation": "relu", "initializer": "he_normal"}
    }, "ReLU units with He initialisation"


def _more_data(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    size = min(60000, config["dataset"]["train_size"] * 10)
    if size == config["dataset"]["train_size"]:
        return None
    return {"dataset": {"train_size": size}}, f"ten times the training images ({size})"


def _longer(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    epochs = min(200, config["training"]["epochs"] * 2)
    return {"training": {"epochs": epochs}}, f"twice the epochs ({epochs})"


# The one change per condition that its explanation says should remove it.
CHANGES: dict[str, Change] = {
    ConditionName.SATURATED_SOFTMAX: _scale,
    ConditionName.CLIPPED_STALL: _logits,
    ConditionName.DEAD_UNITS: _slower,
    ConditionName.SATURATED_UNITS: _scale,
    ConditionName.VANISHING_GRADIENTS: _relu,
    ConditionName.EXPLODED: _slower,
    ConditionName.UNSTABLE: _slower,
    ConditionName.AT_CHANCE: _slower,
    ConditionName.OVERFITTING: _more_data,
    ConditionName.STILL_IMPROVING: _longer,
    ConditionName.TINY_INPUTS: _scale,
}


class FollowUp(BaseModel):
    """An experiment that tests one explanation, ready to POST to /experiments."""

    number: int = Field(description="its number in this report; `normlab follow-up` takes it")
    config: str = Field(description="the label of the config that showed the condition")
    condition: str = Field(description="the problem the config showed")
    change: str = Field(description="the one change that should remove the condition")
    spec: dict[str, Any] = Field(description="the experiment spec to POST")


def follow_ups(groups: Sequence[ConfigGroup]) -> list[FollowUp]:
    """One follow-up per (config, problem condition) with a change that applies."""
    found: list[FollowUp] = []
    for group in groups:
        seeds = sorted({job.seed for job in group.records})
        for condition in group.problems():
            made = CHANGES.get(condition.name, _slower)(group.config)
            if made is None or any(f.config == group.label and f.change == made[1] for f in found):
                continue
            variant, words = made
            spec = {
                "name": f"follow-up: {group.label}, {condition.name}, {words}",
                "base": group.config,
                "variants": [{}, variant],
                "seeds": seeds,
            }
            found.append(
                FollowUp(
                    number=len(found) + 1,
                    config=group.label,
                    condition=condition.name,
                    change=words,
                    spec=spec,
                )
            )
    return found
