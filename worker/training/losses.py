"""The two ways of computing sparse categorical cross-entropy from the model's logits."""

from collections.abc import Callable

import tensorflow as tf

from models.spec import LossMode

# Keras' backend epsilon, which the Keras of the seed question used to clip probabilities.
EPSILON = 1e-7

LossFunction = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


def _labels(y_true: tf.Tensor) -> tf.Tensor:
    # Integer labels shaped like the logits without their class axis.
    return tf.cast(y_true, tf.int32)


def from_logits(y_true: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Per-sample cross-entropy computed from the logits (log-softmax), numerically stable."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=_labels(y_true), logits=logits)


def clipped_probabilities(y_true: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Per-sample cross-entropy from softmax probabilities clipped to [1e-7, 1 - 1e-7].

    This is the computation of Keras' backend when it is handed probabilities rather than
    logits: clip, take the log, then apply softmax cross-entropy to those logs. A sample whose
    probabilities are all clipped (a saturated softmax) contributes a constant loss of at most
    -ln(1e-7) = 16.118 and exactly zero gradient.
    """
    probabilities = tf.clip_by_value(tf.nn.softmax(logits), EPSILON, 1.0 - EPSILON)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=_labels(y_true), logits=tf.math.log(probabilities)
    )


LOSSES: dict[str, LossFunction] = {
    "from_logits": from_logits,
    "clipped_probabilities": clipped_probabilities,
}


def loss_function(mode: LossMode) -> LossFunction:
    """The per-sample loss function for a spec's `loss.mode`."""
    return LOSSES[mode]
