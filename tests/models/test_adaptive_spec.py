"""Seeds until decided and searches, as a spec asks for them: what they expand to, and every
bad input refused with the field that is wrong."""

from typing import Any

import pytest
from pydantic import ValidationError

from models.experiment_spec import ExperimentSpec
from models.search_spec import SearchRange

LR_RANGE = {"low": 1e-4, "high": 0.3, "log": True}


def errors(data: dict[str, Any]) -> dict[str, str]:
    """Field -> message of each error the spec gives."""
    with pytest.raises(ValidationError) as caught:
        ExperimentSpec.model_validate(data)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


def test_seed_rounds_start_with_min_seeds_and_count_max_against_the_limits() -> None:
    spec = ExperimentSpec.model_validate(
        {"variants": [{}, {"training": {"learning_rate": 0.01}}], "seeds": {"min": 3, "max": 15}}
    )
    assert [seed for _, seed in spec.expand()] == [0, 1, 2, 0, 1, 2]
    assert spec.expansion_size() == 30  # what the quota and the job limit count


def test_a_search_starts_with_no_jobs_of_its_own_and_counts_every_trial_and_finalist() -> None:
    spec = ExperimentSpec.model_validate(
        {"search": {"space": {"training.learning_rate": LR_RANGE}, "seeds_per_trial": 2}}
    )
    assert spec.first_seeds() == [0, 1]
    assert spec.expansion_size() == 30 * 2 + 3 * (5 - 2)


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"seeds": {"min": 5, "max": 3}}, "seeds.max", "max (3) is below min (5)"),
        ({"seeds": {"min": 1, "max": 3}}, "seeds.min", "greater than or equal to 2"),
        ({"seeds": {"min": 3, "max": 101}}, "seeds.max", "less than or equal to 100"),
        ({"seeds": {"min": 3, "max": 9, "step": 1}}, "seeds.step", "Extra inputs"),
        ({"seeds": {"min": 3, "max": 9, "metric": "f1"}}, "seeds.metric", "'test_accuracy'"),
        ({"seeds": "3"}, "seeds", "{min, max}"),
        (
            {"grid": {"training.epochs": list(range(1, 41))}, "seeds": {"min": 3, "max": 15}},
            "seeds.max",
            "expands to 600 jobs (variants x grid x seeds.max); at most 500",
        ),
        (
            {"search": {"space": {"training.lr": LR_RANGE}}},
            "search.space.training.lr",
            "unknown search path 'training.lr'; allowed: dataset.name",
        ),
        (
            {"search": {"space": {"training.learning_rate": {"low": 0.3, "high": 0.1}}}},
            "search.space.training.learning_rate.high",
            "high (0.1) must be above low (0.3)",
        ),
        (
            {"search": {"space": {"training.learning_rate": {"low": 0, "high": 1, "log": True}}}},
            "search.space.training.learning_rate.low",
            "a log range needs low above 0",
        ),
        (
            {"search": {"space": {"training.learning_rate": {"low": 0.1, "high": 20}}}},
            "search.space.training.learning_rate",
            "less than or equal to 10",
        ),
        (
            {"search": {"space": {"model.activation": {"low": 0, "high": 1}}}},
            "search.space.model.activation",
            "not a number: give a list of choices",
        ),
        (
            {"search": {"space": {"training.epochs": {"low": 1.5, "high": 5}}}},
            "search.space.training.epochs.low",
            "whole numbers",
        ),
        (
            {"search": {"space": {"model.activation": ["relu", "swish"]}}},
            "search.space.model.activation",
            "model.activation = 'swish'",
        ),
        (
            {"search": {"space": {"model.hidden_layers": [[64], [128]]}}},
            "search.space.model.hidden_layers",
            "unknown search path",
        ),
        (
            {"search": {"space": {"training.momentum": {"low": 0.1, "high": 0.9}}}},
            "search.space.training.momentum",
            "applies only to optimizer 'sgd'",
        ),
        ({"search": {"space": {}}}, "search.space", "at least 1 item"),
        (
            {"search": {"space": {"training.learning_rate": LR_RANGE}, "trials": 201}},
            "search.trials",
            "less than or equal to 200",
        ),
        (
            {"search": {"space": {"training.learning_rate": LR_RANGE}, "finalist_seeds": 0}},
            "search.finalist_seeds",
            "greater than or equal to 1",
        ),
        (
            {
                "search": {
                    "space": {"training.learning_rate": LR_RANGE},
                    "trials": 125,
                    "seeds_per_trial": 4,
                }
            },
            "search.trials",
            "expands to 503 jobs",
        ),
        (
            {"search": {"space": {"training.epochs": {"low": 1, "high": 200}}}},
            "search.trials",
            "units of work",
        ),
        (
            {"search": {"space": {"training.learning_rate": LR_RANGE}}, "seeds": [0, 1]},
            "seeds",
            "give no seeds beside it",
        ),
        (
            {
                "search": {"space": {"training.learning_rate": LR_RANGE}},
                "variants": [{"loss": {"mode": "from_logits"}}],
            },
            "search",
            "give no variants or grid",
        ),
    ],
)
def test_a_bad_adaptive_spec_names_the_field(
    data: dict[str, Any], field: str, fragment: str
) -> None:
    found = errors(data)
    assert field in found, found
    assert fragment in found[field]


def test_momentum_may_be_searched_once_the_optimizer_is_sgd() -> None:
    spec = ExperimentSpec.model_validate(
        {
            "base": {"training": {"optimizer": "sgd"}},
            "search": {"space": {"training.momentum": {"low": 0.0, "high": 0.99}}},
        }
    )
    assert spec.search is not None
    assert spec.search.space["training.momentum"] == SearchRange(low=0.0, high=0.99)


def test_the_adaptive_preset_is_the_seed_question_with_seeds_until_decided() -> None:
    spec = ExperimentSpec.model_validate({"preset": "seed-question-adaptive"})
    assert len(spec.configs()) == 3
    assert spec.model_dump()["seeds"] == {
        "min": 3,
        "max": 15,
        "metric": "test_loss",
        "margin": None,
    }
