"""Each diagnostic on hand-made values whose result is known exactly."""

import math

import numpy as np
import pytest

from analysis.probe import PROBE_SIZE
from models.limits import CHANCE_LOSS
from worker.diagnostics import (
    global_norm,
    hidden_stats,
    input_stats,
    layer_stats,
    output_stats,
    probe_indices,
    saturated_share,
)


def test_probe_is_fixed_by_the_train_size_alone() -> None:
    first, second = probe_indices(60000), probe_indices(60000)
    np.testing.assert_array_equal(first, second)
    assert len(first) == PROBE_SIZE
    assert len(set(first.tolist())) == PROBE_SIZE
    assert list(first) == sorted(first)
    np.testing.assert_array_equal(probe_indices(500), np.arange(500))


def test_input_stats() -> None:
    images = np.array([[0.0, 1.0], [2.0, 5.0]], dtype=np.float32)
    assert input_stats(images) == {
        "input.mean": 2.0,
        "input.std": math.sqrt(3.5),
        "input.min": 0.0,
        "input.max": 5.0,
    }


def test_output_stats_count_clipped_and_saturated_samples() -> None:
    logits = np.zeros((4, 10), dtype=np.float32)
    logits[0, 0] = 40.0  # saturated on class 0, true class 3: p_true = e^-40, clipped
    logits[1, 3] = 40.0  # saturated and right
    logits[2, 0] = 10.0  # p_true = 1 / (e^10 + 9) = 4.5e-5: neither
    labels = np.array([3, 3, 3, 3])  # sample 3: uniform, p = 0.1
    stats = output_stats(logits, labels)
    assert stats["output.clipped_true_share"] == 0.25
    assert stats["output.saturated_share"] == 0.5
    assert stats["output.logit_max_abs"] == 40.0
    assert stats["output.logit_std"] == pytest.approx(np.float64(logits).std())


def test_output_stats_do_not_overflow_on_huge_logits() -> None:
    logits = np.array([[1e30, 0.0] + [0.0] * 8], dtype=np.float32)
    stats = output_stats(logits, np.array([1]))
    assert stats["output.clipped_true_share"] == 1.0
    assert stats["output.saturated_share"] == 1.0


def test_hidden_stats_tell_dead_units_from_zero_activations() -> None:
    activations = np.array([[0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 0.0, 4.0]], dtype=np.float32)
    stats = hidden_stats("hidden_1", activations)
    assert stats == {
        "hidden_1.dead_share": 0.5,  # units 0 and 2 are zero on every sample
        "hidden_1.zero_share": 5 / 8,
        "hidden_1.activation_mean": 7 / 8,
        "hidden_1.activation_std": pytest.approx(np.float64(activations).std()),
    }


def test_layer_stats_norms_and_update_ratio() -> None:
    before = [np.array([[3.0, 0.0]]), np.array([4.0])]  # norm 5
    after = [np.array([[3.0, 3.0]]), np.array([8.0])]  # moved by (0, 3) and 4: norm 5
    grads = [np.array([[1.0, 2.0]]), np.array([2.0])]  # norm 3
    stats = layer_stats("output", grads, after, before)
    assert stats == {
        "output.grad_norm": 3.0,
        "output.weight_norm": math.sqrt(9 + 9 + 64),
        "output.update_ratio": 1.0,
    }
    assert "output.update_ratio" not in layer_stats("output", grads, after, None)


def test_global_norm_and_chance_loss() -> None:
    assert global_norm([np.array([3.0]), np.array([[4.0]])]) == 5.0
    assert pytest.approx(2.302585, abs=1e-6) == CHANCE_LOSS


def test_saturated_share_counts_unit_sample_pairs_below_a_hundredth_of_the_top_slope() -> None:
    # sigmoid: a(1-a) against 0.25, so flat below 0.0025; tanh: 1-a^2 against 1, below 0.01.
    sigmoid = np.array([[0.5, 0.999], [0.9974, 0.0001]], dtype=np.float32)
    assert saturated_share("hidden_1", "sigmoid", sigmoid) == {"hidden_1.saturated_share": 0.5}
    tanh = np.array([[0.0, 0.996], [-0.994, 1.0]], dtype=np.float32)
    assert saturated_share("hidden_2", "tanh", tanh) == {"hidden_2.saturated_share": 0.5}
    assert saturated_share("hidden_1", "relu", sigmoid) == {}
