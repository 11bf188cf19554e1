"""Both loss modes on a hand-made batch: values and gradients, a saturated sample included."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from worker.training.losses import EPSILON, clipped_probabilities, from_logits

# Sample 0 is ordinary; sample 1 is saturated and wrong (true class 1 gets e^-100 of the mass);
# sample 2 is saturated and right.
LOGITS = np.array(
    [[1.0, 2.0, 0.5] + [0.0] * 7, [100.0] + [0.0] * 9, [0.0] * 9 + [100.0]], dtype=np.float32
)
LABELS = np.array([1, 1, 9], dtype=np.int32)


def losses_and_gradients(function) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Per-sample losses and the gradient of their sum with respect to the logits."""
    logits = tf.Variable(LOGITS)
    with tf.GradientTape() as tape:
        losses = function(tf.constant(LABELS), logits)
        total = tf.reduce_sum(losses)
    return losses.numpy(), tape.gradient(total, logits).numpy()


def test_from_logits_is_the_log_softmax_cross_entropy() -> None:
    losses, gradients = losses_and_gradients(from_logits)
    row = LOGITS[0].astype(np.float64)
    expected = -(row[1] - math.log(np.exp(row).sum()))
    assert losses[0] == pytest.approx(expected, rel=1e-6)
    assert losses[1] == pytest.approx(100.0, rel=1e-6)  # no clipping: the true loss
    assert losses[2] == pytest.approx(0.0, abs=1e-6)
    softmax = np.exp(row) / np.exp(row).sum()
    np.testing.assert_allclose(gradients[0], softmax - np.eye(10)[1], atol=1e-6)
    # The saturated wrong sample still pulls hard: gradient -1 on the true class, +1 on the top.
    assert gradients[1][1] == pytest.approx(-1.0, abs=1e-6)
    assert gradients[1][0] == pytest.approx(1.0, abs=1e-6)


def test_clipped_probabilities_caps_the_loss_and_kills_the_gradient_of_saturated_samples() -> None:
    losses, gradients = losses_and_gradients(clipped_probabilities)
    # Clipped: true-class probability 1e-7 (loss -ln 1e-7 = 16.118), renormalised over the
    # clipped probabilities (1 - 1e-7) + 9 * 1e-7 as Keras' backend does.
    saturated = -math.log(EPSILON) + math.log(1 - EPSILON + 9 * EPSILON)
    assert losses[1] == pytest.approx(saturated, rel=1e-5)
    assert losses[1] == pytest.approx(16.118, abs=1e-3)
    np.testing.assert_array_equal(gradients[1], np.zeros(10, dtype=np.float32))
    np.testing.assert_array_equal(gradients[2], np.zeros(10, dtype=np.float32))


def test_both_modes_agree_on_an_unsaturated_sample() -> None:
    clipped_losses, clipped_gradients = losses_and_gradients(clipped_probabilities)
    logit_losses, logit_gradients = losses_and_gradients(from_logits)
    assert clipped_losses[0] == pytest.approx(logit_losses[0], rel=1e-5)
    np.testing.assert_allclose(clipped_gradients[0], logit_gradients[0], atol=1e-5)


def test_each_mode_matches_keras_own_loss_for_that_input() -> None:
    labels, logits = tf.constant(LABELS), tf.constant(LOGITS)
    keras_logits = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(from_logits(labels, logits), keras_logits, rtol=1e-6)
    probabilities = tf.constant(tf.nn.softmax(logits).numpy())  # plain tensor: no logits attached
    keras_probs = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    np.testing.assert_allclose(clipped_probabilities(labels, logits), keras_probs, rtol=1e-6)
