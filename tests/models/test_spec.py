"""One job's config: defaults, bounds, allowed values, resolution of defaults."""

from typing import Any

import pytest
from pydantic import ValidationError

from models.spec import MERGED, JobConfig


def errors_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Validate and return (dotted field, message) of each error."""
    with pytest.raises(ValidationError) as caught:
        JobConfig.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in caught.value.errors()]


def test_defaults_are_the_seed_questions_divide_by_255_model() -> None:
    config = JobConfig().resolved().model_dump()
    assert config == {
        "dataset": {"name": "fashion_mnist", "train_size": 60000, "test_size": 10000},
        "preprocessing": {"method": "scale", "divisor": 255.0},
        "model": {"hidden_layers": [128], "activation": "relu", "initializer": "glorot_uniform"},
        "training": {
            "optimizer": "adam",
            "learning_rate": 0.001,
            "momentum": 0.0,
            "epochs": 5,
            "batch_size": 32,
        },
        "loss": {"mode": "from_logits"},
    }


@pytest.mark.parametrize(
    ("optimizer", "rate"), [("adam", 0.001), ("sgd", 0.01), ("rmsprop", 0.001)]
)
def test_learning_rate_defaults_to_keras_default_for_the_optimizer(
    optimizer: str, rate: float
) -> None:
    config = JobConfig.model_validate({"training": {"optimizer": optimizer}}).resolved()
    assert config.training.learning_rate == rate


def test_divisor_is_kept_only_for_scale() -> None:
    merged = {"preprocessing": {"method": "none", "divisor": 1000}}  # base's divisor, variant's
    raw = JobConfig.model_validate(merged, context={MERGED: True})
    assert raw.resolved().preprocessing.divisor is None
    scaled = JobConfig.model_validate({"preprocessing": {"divisor": 1000}})
    assert scaled.resolved().preprocessing.divisor == 1000


@pytest.mark.parametrize(
    ("divisor", "allowed"),
    [
        (5e-324, "must be at least 1e-36: a smaller divisor makes pixels infinite"),
        (1e-37, "must be at least 1e-36"),
        (1e40, "less than or equal to 1000000000000"),
        (1e300, "less than or equal to 1000000000000"),
    ],
)
def test_a_divisor_that_leaves_no_finite_nonzero_input_is_refused(
    divisor: float, allowed: str
) -> None:
    [(where, message)] = errors_of({"preprocessing": {"divisor": divisor}})
    assert where == "preprocessing.divisor"
    assert allowed in message


def test_divisor_written_with_a_method_that_ignores_it_is_refused() -> None:
    [(where, message)] = errors_of({"preprocessing": {"method": "standardize", "divisor": 255}})
    assert where == "preprocessing.divisor"
    assert "only to method 'scale'" in message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dataset": {"train_size": True}}, "dataset.train_size"),
        ({"training": {"epochs": "5"}}, "training.epochs"),
        ({"preprocessing": {"divisor": "255"}}, "preprocessing.divisor"),
        ({"model": {"hidden_layers": [True]}}, "model.hidden_layers.0"),
    ],
)
def test_values_are_not_coerced_from_another_type(data: dict[str, Any], field: str) -> None:
    [(where, _)] = errors_of(data)
    assert where == field


def test_unknown_fields_are_rejected_by_name() -> None:
    assert errors_of({"training": {"epoch": 3}}) == [
        ("training.epoch", "Extra inputs are not permitted")
    ]


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (
            {"preprocessing": {"method": "normalize"}},
            "preprocessing.method",
            "'standardize_per_pixel'",
        ),
        ({"preprocessing": {"divisor": 0}}, "preprocessing.divisor", "greater than 0"),
        ({"model": {"activation": "swish"}}, "model.activation", "'leaky_relu'"),
        ({"model": {"initializer": "zeros"}}, "model.initializer", "'he_normal'"),
        ({"model": {"hidden_layers": [0]}}, "model.hidden_layers.0", "greater than or equal to 1"),
        ({"model": {"hidden_layers": [8] * 9}}, "model.hidden_layers", "at most 8"),
        ({"training": {"optimizer": "adagrad"}}, "training.optimizer", "'rmsprop'"),
        ({"training": {"epochs": 0}}, "training.epochs", "greater than or equal to 1"),
        ({"training": {"epochs": 201}}, "training.epochs", "less than or equal to 200"),
        ({"training": {"batch_size": 60001}}, "training.batch_size", "less than or equal to 60000"),
        ({"training": {"learning_rate": -1}}, "training.learning_rate", "greater than 0"),
        ({"training": {"momentum": 1}}, "training.momentum", "less than 1"),
        ({"dataset": {"train_size": 60001}}, "dataset.train_size", "less than or equal to 60000"),
        ({"dataset": {"test_size": 0}}, "dataset.test_size", "greater than or equal to 1"),
        ({"dataset": {"name": "mnist"}}, "dataset.name", "'fashion_mnist'"),
        ({"loss": {"mode": "logits"}}, "loss.mode", "'clipped_probabilities'"),
        ({"preprocessing": {"divisor": float("nan")}}, "preprocessing.divisor", "finite number"),
    ],
)
def test_out_of_range_values_name_the_field_and_what_is_allowed(
    data: dict[str, Any], field: str, fragment: str
) -> None:
    [(where, message)] = errors_of(data)
    assert where == field
    assert fragment in message


def test_momentum_with_another_optimizer_is_refused_when_resolved() -> None:
    config = JobConfig.model_validate({"training": {"momentum": 0.9}})
    with pytest.raises(ValueError, match="momentum applies only to optimizer 'sgd'"):
        config.resolved()
    sgd = JobConfig.model_validate({"training": {"optimizer": "sgd", "momentum": 0.9}})
    assert sgd.resolved().training.momentum == 0.9


def test_time_limits_grow_with_the_work_and_stay_below_the_visibility_timeout() -> None:
    from models.limits import (
        MAX_EXPERIMENT_WORK,
        parameters,
        seconds_for_work,
        time_limit_seconds,
    )
    from models.settings import Settings
    from models.tasks import train_job_options

    seed = JobConfig().resolved()
    assert parameters(seed) == 784 * 128 + 128 + 128 * 10 + 10
    small = JobConfig.model_validate({"dataset": {"train_size": 1000}}).resolved()
    longest = seconds_for_work(MAX_EXPERIMENT_WORK)  # a job with all the work one may submit
    assert time_limit_seconds(small) < time_limit_seconds(seed) < longest
    options = train_job_options(seed)
    assert options["time_limit"] > options["soft_time_limit"] == time_limit_seconds(seed)
    assert Settings().visibility_timeout > longest


def test_limit_policy_scales_and_caps_time_limits() -> None:
    from models.limits import time_limit_seconds
    from models.tasks import LimitPolicy, train_job_options

    seed = JobConfig().resolved()
    assert LimitPolicy(2.0).seconds(seed) == 2 * time_limit_seconds(seed)
    assert LimitPolicy(1.0, cap=8).seconds(seed) == 8
    assert train_job_options(seed, LimitPolicy(cap=8))["soft_time_limit"] == 8
