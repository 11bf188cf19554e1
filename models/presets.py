"""Named experiments: the seed question's runs, as the asker ran them, with seeds until
decided, and as explained."""

from typing import Any, Literal

PresetName = Literal["seed-question", "seed-question-adaptive", "seed-question-explained"]

_SEED_PREPROCESSINGS: list[dict[str, Any]] = [
    {"preprocessing": {"method": "scale", "divisor": 255}},
    {"preprocessing": {"method": "none"}},
    {"preprocessing": {"method": "scale", "divisor": 1000}},
]

PRESETS: dict[str, dict[str, Any]] = {
    # The asker's three runs: Keras of that time (clipped probabilities), one run each.
    "seed-question": {
        "name": "seed question",
        "base": {"loss": {"mode": "clipped_probabilities"}},
        "variants": _SEED_PREPROCESSINGS,
        "seeds": [0],
    },
    # The asker's three runs with seeds added until every pair is decided (at most 15 each):
    # three seeds of each first, more only where a difference is still undecided.
    "seed-question-adaptive": {
        "name": "seed question, seeds until decided",
        "base": {"loss": {"mode": "clipped_probabilities"}},
        "variants": _SEED_PREPROCESSINGS,
        "seeds": {"min": 3, "max": 15},
    },
    # The same three under both loss computations, five seeds each: enough for the report's
    # confidence intervals and paired tests to answer the asker's four questions.
    "seed-question-explained": {
        "name": "seed question, explained",
        "variants": _SEED_PREPROCESSINGS,
        "grid": {"loss.mode": ["clipped_probabilities", "from_logits"]},
        "seeds": [0, 1, 2, 3, 4],
    },
}

OVERRIDABLE = ("name", "seeds", "stop_early")


def expand_preset(data: dict[str, Any]) -> dict[str, Any]:
    """Replace `{"preset": ..., "name"?, "seeds"?}` by the preset's spec with those overrides."""
    preset = data["preset"]
    extra = sorted(set(data) - {"preset", *OVERRIDABLE})
    if extra:
        raise ValueError(
            f"with a preset only {', '.join(OVERRIDABLE[:-1])} and {OVERRIDABLE[-1]} may be "
            f"given, not {', '.join(extra)}"
        )
    overrides = {key: data[key] for key in OVERRIDABLE if key in data}
    return {**PRESETS[preset], **overrides, "preset": preset}
