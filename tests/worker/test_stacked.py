"""A stack of jobs trained together against each job trained alone: the same figures."""

import numpy as np
import pytest

from models.spec import JobConfig
from tests.worker.helpers import Recorder, data_for, small_config
from worker.training.loop import TrainingData, train
from worker.training.results import Ending
from worker.training.stack_loop import train_stack
from worker.training.stacked import Member

# Batched matmuls sum in another order than one model's: float32 rounding, compounded over the
# steps. Measured here: below 1e-5 relative for unit-scale inputs; raw pixels (logits in the
# hundreds) amplify it to about 1e-4, and a test prediction or two may flip.
TOLERANCE = {"unit": (1e-4, 1e-6), "raw": (1e-3, 0.011)}


def alone(config: JobConfig, seed: int) -> Recorder:
    """The job trained by itself."""
    recorder = Recorder()
    train(config, seed, data_for(config), recorder, xla=False)
    return recorder


def stacked(configs: list[tuple[JobConfig, int]]) -> tuple[list[Recorder], list[Ending]]:
    """The jobs trained together, each with its own recorder."""
    keys: dict[str, int] = {}
    sources: list[TrainingData] = []
    members: list[Member] = []
    for config, seed in configs:
        key = config.preprocessing.model_dump_json()
        if key not in keys:
            keys[key] = len(sources)
            sources.append(data_for(config))
        members.append(Member(config, seed, keys[key]))
    recorders = [Recorder() for _ in configs]
    outcomes = train_stack(members, sources, recorders, xla=False)
    return recorders, [outcome.ending for outcome in outcomes]


@pytest.mark.parametrize(
    "optimizer",
    [{"optimizer": "adam"}, {"optimizer": "sgd", "momentum": 0.9}, {"optimizer": "rmsprop"}],
)
def test_each_member_of_a_stack_matches_its_run_alone(optimizer: dict[str, object]) -> None:
    base = {
        "dataset": {"train_size": 600, "test_size": 200},
        "training": {"epochs": 2, **optimizer},
    }
    # Raw pixels only under Adam: with SGD or RMSprop their huge gradients make training chaotic,
    # and rounding differences grow into different runs, alone or stacked alike.
    raw = {"method": "none"} if optimizer["optimizer"] == "adam" else {"method": "center"}
    configs = [
        (small_config(**base), 0),
        (small_config(**base, preprocessing=raw), 1),
        (small_config(**base, loss={"mode": "clipped_probabilities"}), 0),
        (
            small_config(
                **{**base, "training": {**base["training"], "learning_rate": 0.003}},  # type: ignore[dict-item]
                preprocessing={"method": "scale", "divisor": 1000},
            ),
            2,
        ),
    ]
    recorders, endings = stacked(configs)
    assert endings == [Ending.COMPLETED] * 4
    for (config, seed), together in zip(configs, recorders, strict=True):
        by_itself = alone(config, seed)
        mine, theirs = np.array(together.figures()), np.array(by_itself.figures())
        assert mine.shape == theirs.shape == (3, 4)
        relative, absolute = TOLERANCE["raw" if config.preprocessing.method == "none" else "unit"]
        np.testing.assert_allclose(mine, theirs, rtol=relative, atol=absolute)
        for epoch_mine, epoch_theirs in zip(together.epochs, by_itself.epochs, strict=True):
            assert epoch_mine.diagnostics.keys() == epoch_theirs.diagnostics.keys()
            assert epoch_mine.diagnostics["output.clipped_true_share"] == pytest.approx(
                epoch_theirs.diagnostics["output.clipped_true_share"], abs=1e-2
            )


def test_a_member_asked_to_stop_ends_cancelled_while_the_others_finish() -> None:
    config = small_config(dataset={"train_size": 500}, training={"epochs": 3, "batch_size": 2})
    recorders, endings = [], []
    members = [Member(config, seed, 0) for seed in range(3)]
    recorders = [Recorder(), Recorder(stop_after_checks=2), Recorder()]
    outcomes = train_stack(members, [data_for(config)], recorders, xla=False)
    endings = [outcome.ending for outcome in outcomes]
    assert endings == [Ending.COMPLETED, Ending.CANCELLED, Ending.COMPLETED]
    assert [len(r.epochs) for r in recorders] == [4, 1, 4]


def test_a_stack_signals_it_is_alive_through_its_set_up_before_the_first_batch() -> None:
    # A stack's set-up (its data, compiling, evaluating every member) can outlast the reaper's
    # patience; each member's hooks must hear from it before training starts.
    config = small_config(training={"epochs": 1})
    recorders = [Recorder(), Recorder()]
    members = [Member(config, seed, 0) for seed in range(2)]
    train_stack(members, [data_for(config)], recorders, xla=False)
    # built, evaluated on the training set, on the test set, and epoch 0 reported
    assert [r.alive_before_first_check for r in recorders] == [5, 5]
