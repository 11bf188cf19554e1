"""Suggested follow-ups: for each root problem a config shows, the one change that should remove
it, as a ready-to-POST spec on the same seeds; POST /experiments/{id}/follow-ups runs them all.

A run at chance because of another condition gets no follow-up for being at chance: the change
that removes the cause is the test (vanishing gradients call for ReLU with He initialisation,
not a smaller step that cannot help). Every other problem gets its own, causes first.
"""

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from analysis.report.groups import ConfigGroup
from models.condition import ConditionName
from models.experiment_spec import deep_merge
from models.spec import DEFAULT_LEARNING_RATES, JobConfig

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


def _adam(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """For a run at chance with no cause found: Adam scales each step to its gradient, so a
    plain SGD that barely moves gets going; Adam itself at chance gets a smaller step."""
    if config["training"]["optimizer"] == "adam":
        return _slower(config)
    rate = DEFAULT_LEARNING_RATES["adam"]
    change = {"training": {"optimizer": "adam", "learning_rate": rate, "momentum": 0.0}}
    return change, f"Adam at its default learning rate ({rate:g})"


def _faster(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """Steps too small: Adam for plain SGD (it scales each step to its gradient), else a ten
    times larger rate."""
    if config["training"]["optimizer"] == "sgd":
        return _adam(config)
    rate = min(10.0, config["training"]["learning_rate"] * 10)
    return {"training": {"learning_rate": rate}}, f"a learning rate ten times larger ({rate:g})"


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


# The one change per root problem that its explanation says should remove it.
CHANGES: dict[str, Change] = {
    ConditionName.SATURATED_SOFTMAX: _scale,
    ConditionName.CLIPPED_STALL: _logits,
    ConditionName.DEAD_UNITS: _slower,
    ConditionName.SATURATED_UNITS: _scale,
    ConditionName.VANISHING_GRADIENTS: _relu,
    ConditionName.TINY_STEPS: _faster,
    ConditionName.EXPLODED: _slower,
    ConditionName.UNSTABLE: _slower,
    ConditionName.AT_CHANCE: _adam,
    ConditionName.OVERFITTING: _more_data,
    ConditionName.TINY_INPUTS: _scale,
}


class Confirmation(BaseModel):
    """What running a follow-up showed."""

    experiment_id: int = Field(description="the experiment that ran the changed config")
    verdict: str = Field(
        description="confirmed (the condition is gone and the metric improved beyond seed "
        "noise), not_confirmed, or pending (jobs still to run)"
    )
    statement: str = Field(description="what the follow-up showed, with its numbers")


class FollowUp(BaseModel):
    """An experiment that tests one explanation, ready to POST to /experiments."""

    number: int = Field(description="its number in this report; `normlab follow-up` takes it")
    config: str = Field(description="the label of the config that showed the condition")
    condition: str = Field(description="the problem the config showed")
    change: str = Field(description="the one change that should remove the condition")
    key: str = Field(description="the config key of the changed config")
    spec: dict[str, Any] = Field(description="the experiment spec to POST")
    confirmation: Confirmation | None = Field(
        None, description="once the follow-ups were run (POST .../follow-ups): what they showed"
    )


def changed_key(config: dict[str, Any], variant: dict[str, Any]) -> str:
    """The config key of a config with one change applied."""
    return JobConfig.model_validate(deep_merge(config, variant)).key()


def _tested_problems(group: ConfigGroup) -> list[str]:
    """The config's problems worth a follow-up, those that follow from none first."""
    problems = group.problems()
    held = {c.name for c in problems}
    explained = {c.name for c in problems if c.caused_by in held}
    ordered = sorted(problems, key=lambda c: c.name in explained)
    return [
        c.name for c in ordered if not (c.name == ConditionName.AT_CHANCE and c.name in explained)
    ]


def follow_ups(groups: Sequence[ConfigGroup]) -> list[FollowUp]:
    """One follow-up per (config, problem) with a change that applies."""
    found: list[FollowUp] = []
    for group in groups:
        seeds = sorted({job.seed for job in group.records})
        for condition in _tested_problems(group):
            made = CHANGES.get(condition, _slower)(group.config)
            if made is None or any(f.config == group.label and f.change == made[1] for f in found):
                continue
            variant, words = made
            spec = {
                "name": f"follow-up: {group.label}, {condition}, {words}",
                "base": group.config,
                "variants": [{}, variant],
                "seeds": seeds,
            }
            found.append(
                FollowUp(
                    number=len(found) + 1,
                    config=group.label,
                    condition=condition,
                    change=words,
                    key=changed_key(group.config, variant),
                    spec=spec,
                )
            )
    return found
