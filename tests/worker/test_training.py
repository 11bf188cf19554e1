"""The training loop on small subsets of the real data: determinism, pairing, stop, divergence."""

import math

import numpy as np
import tensorflow as tf

from harness.training import Recorder, data_for, small_config
from models.spec import JobConfig
from worker.preprocessing import aligned_empty
from worker.training.loop import TrainingData, as_tensor, train
from worker.training.results import Ending, TrainingOutcome
from worker.training.trainer import initial_weights


def run(
    config: JobConfig, seed: int = 0, stop_after_checks: int | None = None
) -> tuple[Recorder, TrainingOutcome]:
    """Train and return the hooks' record and the outcome."""
    recorder = Recorder(stop_after_checks)
    outcome = train(config, seed, data_for(config), recorder)
    return recorder, outcome


def test_same_config_and_seed_give_identical_metrics() -> None:
    config = small_config(training={"epochs": 2})
    first, _ = run(config, seed=7)
    second, _ = run(config, seed=7)
    assert first.figures() == second.figures()
    assert [r.epoch for r in first.epochs] == [0, 1, 2]


def test_another_seed_gives_other_metrics() -> None:
    config = small_config()
    assert run(config, seed=1)[0].figures() != run(config, seed=2)[0].figures()


def test_epoch_0_is_an_untrained_evaluation_near_chance() -> None:
    recorder, outcome = run(small_config())
    epoch0 = recorder.epochs[0]
    assert outcome.ending is Ending.COMPLETED
    assert abs(epoch0.loss - math.log(10)) < 0.5  # /255 inputs, Glorot weights: near chance
    assert recorder.epochs[1].loss < epoch0.loss


def test_configs_under_one_seed_start_from_the_same_weights() -> None:
    base = initial_weights(small_config(), 3)
    for other in (
        small_config(preprocessing={"method": "none"}),
        small_config(loss={"mode": "clipped_probabilities"}),
        small_config(training={"learning_rate": 0.1}),
    ):
        for mine, theirs in zip(base, initial_weights(other, 3), strict=True):
            np.testing.assert_array_equal(mine, theirs)
    different = initial_weights(small_config(), 4)
    assert not np.array_equal(base[0], different[0])


def test_raw_pixels_with_clipped_probabilities_get_stuck_high() -> None:
    config = small_config(
        preprocessing={"method": "none"},
        loss={"mode": "clipped_probabilities"},
        dataset={"train_size": 2048},
        training={"epochs": 2},
    )
    recorder, _ = run(config)
    assert recorder.epochs[0].loss > 10
    assert recorder.epochs[-1].loss > 10


def test_stop_request_ends_cancelled_without_recording_the_partial_epoch() -> None:
    config = small_config(training={"epochs": 3, "batch_size": 2})
    # 256 batches an epoch: two compiled chunks of 125 and 6 batches left over, with a check
    # before the epoch and after each part: 4 an epoch. Stopping after 5 stops in epoch 2.
    recorder, outcome = run(config, stop_after_checks=5)
    assert outcome.ending is Ending.CANCELLED
    assert [r.epoch for r in recorder.epochs] == [0, 1]
    assert outcome.epoch == 1


def test_non_finite_loss_ends_diverged_at_that_epoch() -> None:
    config = small_config(preprocessing={"method": "none"})
    clean = data_for(config)
    huge = TrainingData(clean.x_train * np.float32(1e36), clean.y_train, clean.x_test, clean.y_test)
    recorder = Recorder()
    outcome = train(config, 0, huge, recorder)
    assert outcome.ending is Ending.DIVERGED
    assert outcome.epoch == recorder.epochs[-1].epoch
    assert not recorder.epochs[-1].finite


def test_diagnostics_are_measured_before_training_and_after_every_epoch() -> None:
    recorder, _ = run(small_config(training={"epochs": 2}))
    first, *trained = recorder.epochs
    assert first.diagnostics["input.max"] == 1.0
    assert first.diagnostics["probe.chance_loss"] == math.log(10)
    assert "output.update_ratio" not in first.diagnostics
    for epoch in trained:
        assert "input.mean" not in epoch.diagnostics
        assert epoch.diagnostics["hidden_1.update_ratio"] > 0
        assert epoch.diagnostics["output.grad_norm"] > 0
    expected = {
        "hidden_1.dead_share",
        "hidden_1.zero_share",
        "output.clipped_true_share",
        "probe.loss",
    }
    assert expected <= set(trained[-1].diagnostics)


def test_raw_pixels_saturate_the_initial_softmax_and_clipping_removes_the_gradient() -> None:
    clipped = small_config(preprocessing={"method": "none"}, loss={"mode": "clipped_probabilities"})
    logits = small_config(preprocessing={"method": "none"})
    scaled = small_config(loss={"mode": "clipped_probabilities"})
    raw_clipped = run(clipped)[0].epochs[0].diagnostics
    raw_logits = run(logits)[0].epochs[0].diagnostics
    well_scaled = run(scaled)[0].epochs[0].diagnostics
    assert raw_clipped["input.max"] == 255.0
    assert raw_clipped["output.clipped_true_share"] > 0.5
    assert well_scaled["output.clipped_true_share"] == 0.0
    assert raw_clipped["output.logit_std"] > 50 * well_scaled["output.logit_std"]
    # Same weights and probe: only the loss differs, and the clipped one has far less gradient.
    assert raw_clipped["output.logit_std"] == raw_logits["output.logit_std"]
    assert raw_clipped["output.grad_norm"] < raw_logits["output.grad_norm"] / 10


def test_progress_within_the_epoch_is_reported_after_each_compiled_part() -> None:
    config = small_config(dataset={"train_size": 500}, training={"batch_size": 2})
    recorder, _ = run(config)
    assert recorder.progress == (250, 250)  # two chunks of 125 batches: 250 batches in all


def test_aligned_float32_images_become_a_tensor_over_the_same_memory() -> None:
    images = aligned_empty((4, 28, 28))
    images[...] = 1.0
    tensor = as_tensor(images, tf.float32)
    images[0, 0, 0] = 7.0  # written after the tensor was made: seen through it, no copy
    assert float(tensor[0, 0, 0]) == 7.0


def test_unaligned_or_other_typed_arrays_are_copied_into_tensors() -> None:
    buffer = aligned_empty((2 * 784 + 1,))
    buffer[...] = np.arange(buffer.size)
    unaligned = buffer[1:].reshape(2, 28, 28)  # 4 bytes past the boundary
    labels = np.array([3, 1], np.uint8)
    np.testing.assert_array_equal(as_tensor(unaligned, tf.float32).numpy(), unaligned)
    assert as_tensor(labels, tf.int32).dtype == tf.int32
    unaligned[0, 0, 0] = -1.0
    assert float(as_tensor(unaligned, tf.float32)[0, 0, 0]) == 1.0
