"""Each condition in plain words, as a sentence of the report names it."""

from analysis.names import layer_words
from analysis.probe import CLIP_TEXT
from models.condition import JOB_SUBJECT, ConditionName

WORDS: dict[str, str] = {
    ConditionName.SATURATED_SOFTMAX: "a saturated softmax from the start",
    ConditionName.CLIPPED_STALL: f"a stall at the {CLIP_TEXT} clip",
    ConditionName.DEAD_UNITS: "dead units",
    ConditionName.SATURATED_UNITS: "saturated units",
    ConditionName.VANISHING_GRADIENTS: "vanishing gradients",
    ConditionName.TINY_STEPS: "steps too small to move the weights",
    ConditionName.EXPLODED: "an exploding loss",
    ConditionName.AT_CHANCE: "accuracy at chance",
    ConditionName.OVERFITTING: "overfitting",
    ConditionName.UNSTABLE: "an unstable loss",
    ConditionName.STILL_IMPROVING: "still improving when training stopped",
    ConditionName.TINY_INPUTS: "tiny inputs",
}


def condition_words(name: str, subject: str = JOB_SUBJECT) -> str:
    """'dead units in the first hidden layer'; a name not listed is returned as it is."""
    text = WORDS.get(name, name)
    return text if subject == JOB_SUBJECT else f"{text} in {layer_words(subject)}"
