"""An experiment's expansion into jobs: base, variants, grid, seeds, duplicates and the cap."""

from typing import Any

import pytest
from pydantic import ValidationError

from models.config_paths import GRID_PATHS, set_path
from models.experiment_spec import MAX_JOBS_PER_EXPERIMENT, ExperimentSpec, deep_merge


def expand(data: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """Expand a spec into (config dict, seed) pairs."""
    spec = ExperimentSpec.model_validate(data)
    return [(config.model_dump(), seed) for config, seed in spec.expand()]


def error_messages(data: dict[str, Any]) -> list[str]:
    """The validation messages for a spec, each prefixed by its field."""
    with pytest.raises(ValidationError) as caught:
        ExperimentSpec.model_validate(data)
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in caught.value.errors()]


def test_empty_spec_is_one_default_job_with_seed_0() -> None:
    [(config, seed)] = expand({})
    assert seed == 0
    assert config["preprocessing"] == {"method": "scale", "divisor": 255.0}


def test_grid_is_a_cartesian_product_with_seeds_innermost() -> None:
    jobs = expand(
        {
            "grid": {"preprocessing.divisor": [255, 1000], "training.learning_rate": [0.1, 0.01]},
            "seeds": [3, 4],
        }
    )
    assert [
        (c["preprocessing"]["divisor"], c["training"]["learning_rate"], s) for c, s in jobs
    ] == [
        (255, 0.1, 3),
        (255, 0.1, 4),
        (255, 0.01, 3),
        (255, 0.01, 4),
        (1000, 0.1, 3),
        (1000, 0.1, 4),
        (1000, 0.01, 3),
        (1000, 0.01, 4),
    ]


def test_variants_merge_over_base_and_keep_unset_fields_from_base() -> None:
    jobs = expand(
        {
            "base": {"loss": {"mode": "clipped_probabilities"}, "training": {"epochs": 2}},
            "variants": [
                {"preprocessing": {"method": "scale", "divisor": 255}},
                {"preprocessing": {"method": "none"}},
                {"preprocessing": {"divisor": 1000}},
            ],
        }
    )
    assert [c["preprocessing"] for c, _ in jobs] == [
        {"method": "scale", "divisor": 255},
        {"method": "none", "divisor": None},
        {"method": "scale", "divisor": 1000},
    ]
    assert {c["loss"]["mode"] for c, _ in jobs} == {"clipped_probabilities"}
    assert {c["training"]["epochs"] for c, _ in jobs} == {2}


def test_variant_changing_optimizer_gets_that_optimizers_default_rate() -> None:
    jobs = expand(
        {
            "base": {"training": {"optimizer": "sgd"}},
            "variants": [{}, {"training": {"optimizer": "adam"}}],
        }
    )
    assert [c["training"]["learning_rate"] for c, _ in jobs] == [0.01, 0.001]


def test_variants_times_grid() -> None:
    jobs = expand(
        {
            "variants": [
                {"loss": {"mode": "from_logits"}},
                {"loss": {"mode": "clipped_probabilities"}},
            ],
            "grid": {"preprocessing.method": ["none", "center"]},
        }
    )
    assert [(c["loss"]["mode"], c["preprocessing"]["method"]) for c, _ in jobs] == [
        ("from_logits", "none"),
        ("from_logits", "center"),
        ("clipped_probabilities", "none"),
        ("clipped_probabilities", "center"),
    ]


def test_duplicate_configs_become_one_job_per_seed() -> None:
    jobs = expand({"variants": [{}, {"preprocessing": {"divisor": 255}}], "seeds": [0, 1]})
    assert len(jobs) == 2


def test_expansion_over_the_cap_is_refused_before_expanding() -> None:
    spec = {
        "grid": {"training.epochs": list(range(1, 101)), "training.batch_size": list(range(1, 11))}
    }
    [message] = error_messages(spec)
    assert "expands to 1000 jobs" in message
    assert f"at most {MAX_JOBS_PER_EXPERIMENT}" in message


def test_unknown_grid_path_lists_the_allowed_paths() -> None:
    [message] = error_messages({"grid": {"preprocessing.scale": [1]}})
    assert message.startswith("grid: ")
    assert "unknown grid path 'preprocessing.scale'" in message
    assert "preprocessing.divisor" in message


def test_bad_grid_value_names_path_index_and_rule() -> None:
    [message] = error_messages({"grid": {"preprocessing.divisor": [255, -1]}})
    assert "grid['preprocessing.divisor'][1]" in message
    assert "greater than 0" in message


def test_cross_field_rule_names_the_variant() -> None:
    [message] = error_messages({"variants": [{}, {"training": {"momentum": 0.5}}]})
    assert "variants[1]: training.momentum applies only to optimizer 'sgd'" in message


def test_momentum_in_a_variant_over_an_sgd_base_is_allowed() -> None:
    [(config, _)] = expand(
        {"base": {"training": {"optimizer": "sgd"}}, "variants": [{"training": {"momentum": 0.9}}]}
    )
    assert config["training"]["momentum"] == 0.9


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"seeds": []}, "seeds: List should have at least 1 item"),
        ({"seeds": [1, 1]}, "seeds: Value error, seeds must be distinct"),
        ({"seeds": [-1]}, "seeds.0: Input should be greater than or equal to 0"),
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"grid": {"loss.mode": []}}, "grid.loss.mode: List should have at least 1 item"),
        (
            {"variants": [{"model": {"activation": "x"}}]},
            "variants.0.model.activation: Input should be",
        ),
        (
            {"base": {"dataset": {"train_size": 0}}},
            "base.dataset.train_size: Input should be greater",
        ),
        ({"something": 1}, "something: Extra inputs are not permitted"),
    ],
)
def test_invalid_experiments_name_the_field(data: dict[str, Any], fragment: str) -> None:
    assert any(message.startswith(fragment) for message in error_messages(data)), error_messages(
        data
    )


def test_grid_paths_are_every_leaf_of_the_config() -> None:
    assert "preprocessing.method" in GRID_PATHS
    assert "training.learning_rate" in GRID_PATHS
    assert "preprocessing" not in GRID_PATHS
    assert len(GRID_PATHS) == 14


def test_deep_merge_and_set_path_leave_inputs_untouched() -> None:
    base = {"a": {"b": 1, "c": 2}}
    merged = deep_merge(base, {"a": {"c": 3}})
    assert merged == {"a": {"b": 1, "c": 3}}
    assert base == {"a": {"b": 1, "c": 2}}
    target: dict[str, Any] = {}
    set_path(target, "x.y", 5)
    assert target == {"x": {"y": 5}}


def test_total_work_over_the_cap_is_refused_with_what_to_change() -> None:
    big = {
        "base": {"model": {"hidden_layers": [4096, 4096]}, "training": {"epochs": 100}},
        "seeds": [0, 1, 2],
    }
    [message] = error_messages(big)
    assert "units of work" in message
    assert "fewer jobs, epochs, training images or units" in message
