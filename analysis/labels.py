"""Short labels of configs, naming only what varies across an experiment: one vocabulary for
the report, the pages, the plot legends, the exports and (through the API) the CLI."""

from collections.abc import Sequence
from typing import Any

from models.spec import DEFAULT_LEARNING_RATES, JobConfig

# How a varying config path is written in a label, as people say it; `{}` is the value.
PATH_WORDS = {
    "loss.mode": "{} loss",
    "training.optimizer": "{}",
    "training.learning_rate": "lr {:g}",
    "training.momentum": "momentum {:g}",
    "training.epochs": "{} epochs",
    "training.batch_size": "batch {}",
    "model.hidden_layers": "layers {}",
    "model.activation": "{}",
    "model.initializer": "{}",
    "dataset.train_size": "{} train images",
    "dataset.test_size": "{} test images",
}
OPTIMIZER, RATE = "training.optimizer", "training.learning_rate"
LOSS_MODE_WORDS = {"clipped_probabilities": "clipped", "from_logits": "logits"}
PREPROCESSING = "preprocessing"


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


CONFIG_PATHS = tuple(flatten(JobConfig().resolved().model_dump(mode="json")))


def factor(path: str) -> str:
    """The factor a config path belongs to: the preprocessing is one, every other path its own."""
    return PREPROCESSING if path.startswith(f"{PREPROCESSING}.") else path


def preprocessing_words(config: dict[str, Any]) -> str:
    """`x/255`, `raw pixels`, or the method's name."""
    method = config["preprocessing"]["method"]
    if method == "scale":
        return f"x/{config['preprocessing']['divisor']:g}"
    return "raw pixels" if method == "none" else method


def factor_words(config: dict[str, Any], name: str) -> str:
    """One factor's value in a config, as a label writes it."""
    if name == PREPROCESSING:
        return preprocessing_words(config)
    value = flatten(config)[name]
    if name == "model.hidden_layers":
        value = "-".join(str(units) for units in value) or "none"
    elif name == "loss.mode":
        value = LOSS_MODE_WORDS.get(value, value)
    return PATH_WORDS.get(name, name.rsplit(".", 1)[-1] + " {}").format(value)


def varying_factors(configs: Sequence[dict[str, Any]]) -> list[str]:
    """The factors whose values differ between the configs, in the spec's order (PostgreSQL's
    JSONB returns keys in an order of its own)."""
    flats = [flatten(config) for config in configs]
    paths = [p for p in CONFIG_PATHS if len({repr(f.get(p)) for f in flats}) > 1] if flats else []
    return list(dict.fromkeys(factor(path) for path in paths))


def _with_rate(config: dict[str, Any], factors: Sequence[str]) -> list[str]:
    """The factors, with the learning rate after the optimizer when the rate is not that
    optimizer's default ('sgd' alone would read as SGD at its own 0.01)."""
    training = config["training"]
    if OPTIMIZER not in factors or RATE in factors:
        return list(factors)
    if training["learning_rate"] == DEFAULT_LEARNING_RATES[training["optimizer"]]:
        return list(factors)
    at = list(factors).index(OPTIMIZER) + 1
    return [*factors[:at], RATE, *factors[at:]]


def label(config: dict[str, Any], factors: Sequence[str]) -> str:
    """A config's short name from the given factors; the preprocessing alone if none."""
    named = _with_rate(config, factors)
    return ", ".join(factor_words(config, name) for name in named) or preprocessing_words(config)


def usual_values(configs: Sequence[dict[str, Any]], factors: Sequence[str]) -> dict[str, str]:
    """Per factor, the value more than half of the configs share, where one is."""
    usual = {}
    for name in factors:
        words = [factor_words(config, name) for config in configs]
        top = max(set(words), key=words.count)
        if 2 * words.count(top) > len(words):
            usual[name] = top
    return usual


def _departures(config: dict[str, Any], factors: Sequence[str], usual: dict[str, str]) -> list[str]:
    return [f for f in factors if factor_words(config, f) != usual.get(f)]


def _common(factors: Sequence[str]) -> list[str]:
    """How the config most others share is named: by its preprocessing when that varies (the
    seed question's x/255), else by every varying factor."""
    return [PREPROCESSING] if PREPROCESSING in factors else list(factors)


def labels(configs: Sequence[dict[str, Any]]) -> list[str]:
    """Each config's short label within the set: the factors that vary, less those where it
    has the value most configs share (so a sweep's labels say how each config departs from
    the common one); every varying factor if that would leave two labels alike."""
    factors = varying_factors(configs)
    usual = usual_values(configs, factors)
    short = [
        label(config, _departures(config, factors, usual) or _common(factors)) for config in configs
    ]
    if len(set(short)) == len(short):
        return short
    return [label(config, factors) for config in configs]
