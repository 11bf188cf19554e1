"""A search's in-memory study from stored trials: states, asking, the median pruner, where
conditions appear and the parameters' importance; on records, no database."""

import math
from collections.abc import Sequence
from typing import Any

from analysis.adaptive import study
from analysis.adaptive.regions import Point, regions, threshold
from analysis.adaptive.search_report import importances
from analysis.epochs import EpochResult
from analysis.report.comparisons import Metric
from analysis.report.records import JobRecord
from models.config_paths import with_values
from models.search_spec import SearchSpec

BASE = with_values({}, {}).model_dump(mode="json")
SEARCH = SearchSpec.model_validate(
    {
        "space": {
            "training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True},
            "model.activation": ["relu", "tanh"],
        },
        "trials": 20,
        "sampler": "random",
    }
)


def record(
    number: int,
    test_losses: Sequence[float],
    *,
    rate: float = 0.001,
    activation: str = "relu",
    status: str = "succeeded",
    **extra: Any,
) -> JobRecord:
    """A trial's one job, its test loss per epoch from 1 (its final figure the last)."""
    config = with_values(
        BASE, {"training.learning_rate": rate, "model.activation": activation}
    ).model_dump(mode="json")
    epochs = [EpochResult(0, 2.3, 0.1, 2.3, 0.1, 0.0)] + [
        EpochResult(e, v, 0.5, v, 0.5, 1.0) for e, v in enumerate(test_losses, start=1)
    ]
    final: dict[str, float | None] | None = (
        {"test_loss": test_losses[-1]} if status == "succeeded" else None
    )
    key = f"k{number}"
    return JobRecord(number, 0, status, config, key, False, final, epochs, trial=number, **extra)


def finished(count: int) -> list[JobRecord]:
    """Trials that ran 3 epochs each: 1.0, 0.6, then 0.5 plus a little per trial."""
    return [record(n, [1.0, 0.6, 0.5 + n / 100], rate=10 ** -(1 + n / 6)) for n in range(count)]


def test_a_trial_is_running_complete_pruned_or_failed_as_its_jobs_are() -> None:
    cases = [
        (record(0, [0.7], status="running"), "RUNNING", None),
        (record(1, [0.7, 0.5]), "COMPLETE", 0.5),
        (record(2, [0.7], stopped_early={"epoch": 1, "condition": "pruned"}), "PRUNED", None),
        (record(3, [0.7], status="failed"), "FAIL", None),
        (record(4, [math.inf]), "FAIL", None),
    ]
    for job, state, value in cases:
        [trial] = study.trials([job], SEARCH)
        found = trial.state(Metric.TEST_LOSS)
        assert (found[0].name, found[1]) == (state, value)


def test_asking_numbers_new_trials_after_the_stored_ones_within_the_space() -> None:
    stored = study.trials(finished(3), SEARCH)
    asked = study.ask(stored, SEARCH, 4)
    assert len(asked) == 4
    for params in asked:
        assert 1e-4 <= params["training.learning_rate"] <= 0.3
        assert params["model.activation"] in ("relu", "tanh")
    # The same rows give the same trials: the sampler is seeded by how many were asked.
    assert study.ask(study.trials(finished(3), SEARCH), SEARCH, 4) == asked
    assert study.ask(study.trials(finished(4), SEARCH), SEARCH, 1) != asked[:1]


def test_tpe_asks_from_a_rebuilt_study_with_trials_still_running() -> None:
    tpe = SEARCH.model_copy(update={"sampler": "tpe"})
    stored = [*finished(12), record(12, [0.8], status="running")]
    [params] = study.ask(study.trials(stored, tpe), tpe, 1)
    assert 1e-4 <= params["training.learning_rate"] <= 0.3


def prunes(others: list[JobRecord], mine: JobRecord, search: SearchSpec = SEARCH) -> bool:
    running = study.Trial(99, study.params_of(mine.config, search), [mine])
    return study.should_prune(study.trials(others, search), running, search, epochs=3)


def test_a_run_worse_than_the_median_of_five_finished_trials_is_pruned() -> None:
    assert prunes(finished(5), record(99, [2.0], status="running"))


def test_a_run_better_than_the_median_is_not_pruned() -> None:
    assert not prunes(finished(5), record(99, [0.9], status="running"))


def test_fewer_than_five_finished_trials_prune_nothing() -> None:
    assert not prunes(finished(4), record(99, [2.0], status="running"))


def test_the_last_epoch_is_never_pruned() -> None:
    assert not prunes(finished(5), record(99, [2.0, 2.0, 2.0], status="running"))


def test_no_pruner_prunes_nothing() -> None:
    none = SEARCH.model_copy(update={"pruner": "none"})
    assert not prunes(finished(5), record(99, [2.0], status="running"), none)


def test_a_threshold_that_sorts_the_trials_is_found_on_a_log_scale() -> None:
    rates = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
    cut, side, agreement = threshold(rates, [r > 0.02 for r in rates], log=True) or (0, "", 0)
    assert (side, agreement) == ("above", 1.0)
    assert cut == math.sqrt(0.01 * 0.03)


def test_regions_say_where_each_condition_appears_and_when_no_path_sets_it_apart() -> None:
    dead = ("dead_units", "hidden_1")
    points = [
        Point(
            {"training.learning_rate": r, "model.activation": a},
            frozenset({dead} if r > 0.02 else ()),
        )
        for r, a in [
            (0.001, "relu"),
            (0.004, "tanh"),
            (0.01, "relu"),
            (0.05, "tanh"),
            (0.2, "relu"),
        ]
    ]
    points.append(
        Point(
            {"training.learning_rate": 0.002, "model.activation": "tanh"},
            frozenset({("overfitting", "job")}),
        )
    )
    points.append(
        Point(
            {"training.learning_rate": 0.005, "model.activation": "tanh"},
            frozenset({("overfitting", "job")}),
        )
    )
    said = regions(points, {"training.learning_rate": "log", "model.activation": "choices"})
    assert said[0] == (
        "Dead units in the first hidden layer in 2 of 7 trials: those above "
        "training.learning_rate of about 0.022."
    )
    assert said[1] == (
        "Overfitting in 2 of 7 trials, with no one threshold or choice setting them apart."
    )


def test_importance_follows_the_path_that_moves_the_metric() -> None:
    jobs = [
        record(n, [1.0, 0.3 + abs(math.log10(rate) + 2.5) / 4], rate=rate, activation=activation)
        for n, (rate, activation) in enumerate(
            (10 ** -(1 + k / 4), "relu" if k % 2 else "tanh") for k in range(12)
        )
    ]
    found = importances(study.trials(jobs, SEARCH), SEARCH)
    assert found["training.learning_rate"] > found["model.activation"]
    assert importances(study.trials(jobs[:3], SEARCH), SEARCH) == {}


def test_a_rare_condition_gets_no_region_that_holds_only_one_of_its_trials() -> None:
    rates = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.25, 0.3]
    over = ("overfitting", "job")
    points = [Point({"lr": r}, frozenset({over} if r in (0.0001, 0.01) else ())) for r in rates]
    # "below 0.0002" sorts 9 of 10 right, yet holds one of the two trials that show it.
    [said] = regions(points, {"lr": "log"})
    assert said.endswith("with no one threshold or choice setting them apart.")
