"""Several jobs trained together in one compiled computation: stacked weights, batched matmuls.

Jobs that share the architecture, optimizer kind (and momentum), batch size, epochs and data
sizes, and differ only in preprocessing, learning rate, loss mode or seed, train side by side:
member s keeps its own weights, optimizer state, learning rate, loss, inputs and batch order,
and one step multiplies all members' batches at once. The update is Keras' own (Adam, SGD,
RMSprop as keras.optimizers compute them), so each member's figures are those it gets alone,
up to the order in which floating-point sums are taken.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

from models.spec import JobConfig
from worker.training.losses import clipped_probabilities, from_logits
from worker.training.trainer import CHUNK_BATCHES, initial_weights

# Keras' defaults for the three optimizers.
BETA_1, BETA_2, EPSILON, RHO = 0.9, 0.999, 1e-7, 0.9
EVAL_CHUNK = 500


@dataclass(frozen=True)
class Member:
    """One job of the stack: its config, its seed, and which of the data sources it reads."""

    config: JobConfig
    seed: int
    source: int


def _stacked(arrays: Sequence[npt.NDArray[np.float32]]) -> tf.Tensor:
    """Images of several sources as one [sources * n, pixels] tensor."""
    return tf.constant(np.concatenate([a.reshape(len(a), -1) for a in arrays]))


class Stack:
    """The stacked members' variables and the compiled functions that train and evaluate them."""

    def __init__(
        self,
        members: Sequence[Member],
        sources: Sequence[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]],
        y_train: npt.NDArray[np.uint8],
        y_test: npt.NDArray[np.uint8],
        xla: bool,
    ) -> None:
        first = members[0].config
        self.size, self.batch_size = len(members), first.training.batch_size
        self.optimizer, self.momentum = first.training.optimizer, first.training.momentum
        self.activation = keras.activations.get(first.model.activation)
        starts = [initial_weights(m.config, m.seed) for m in members]
        self.variables = [
            tf.Variable(np.stack([w[i] for w in starts])) for i in range(len(starts[0]))
        ]
        self.slots = [
            [tf.Variable(tf.zeros_like(v)) for v in self.variables]
            for _ in range(self._slot_count())
        ]
        self.iterations = tf.Variable(0.0)
        self.learning_rates = tf.constant(
            [m.config.training.resolved().learning_rate for m in members], tf.float32
        )
        self.clipped = tf.constant([m.config.loss.mode == "clipped_probabilities" for m in members])
        self.x_train, self.x_test = (
            _stacked([s[0] for s in sources]),
            _stacked([s[1] for s in sources]),
        )
        self.y_train, self.y_test = tf.constant(y_train, tf.int32), tf.constant(y_test, tf.int32)
        self.train_offsets = tf.constant([m.source * len(y_train) for m in members], tf.int32)
        self.test_offsets = tf.constant([m.source * len(y_test) for m in members], tf.int32)
        # Gathering stays outside the compiled chunk: XLA given the whole image table compiles
        # for minutes; given the chunk's own images it compiles in a second.
        self.gather = tf.function(self._gather, reduce_retracing=True)
        self.train_chunk = tf.function(self._train_batches, jit_compile=xla)
        self.train_batches = tf.function(self._train_batches, reduce_retracing=True)
        self.evaluate = tf.function(self._evaluate, reduce_retracing=True)

    def _slot_count(self) -> int:
        return {"adam": 2, "rmsprop": 1, "sgd": 1 if self.momentum else 0}[self.optimizer]

    def member_weights(self, index: int) -> list[npt.NDArray[np.float32]]:
        """One member's weights, as its own Keras model holds them."""
        return [v[index].numpy() for v in self.variables]

    def _forward(self, images: tf.Tensor) -> tf.Tensor:
        layers = len(self.variables) // 2
        values = images
        for layer in range(layers):
            kernel, bias = self.variables[2 * layer], self.variables[2 * layer + 1]
            values = tf.einsum("sbi,sio->sbo", values, kernel) + bias[:, None, :]
            if layer < layers - 1:
                values = self.activation(values)
        return values

    def _losses(self, labels: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
        """Per-sample losses, each member by its own loss mode."""
        return tf.where(
            self.clipped[:, None],
            clipped_probabilities(labels, logits),
            from_logits(labels, logits),
        )

    def _apply(self, gradients: Sequence[tf.Tensor]) -> None:
        self.iterations.assign_add(1.0)
        step = self.iterations
        for index, (variable, gradient) in enumerate(zip(self.variables, gradients, strict=True)):
            rate = tf.reshape(self.learning_rates, [-1] + [1] * (len(variable.shape) - 1))
            slots = [group[index] for group in self.slots]
            if self.optimizer == "adam":
                m, v = slots
                alpha = rate * tf.sqrt(1 - tf.pow(BETA_2, step)) / (1 - tf.pow(BETA_1, step))
                m.assign_add((gradient - m) * (1 - BETA_1))
                v.assign_add((tf.square(gradient) - v) * (1 - BETA_2))
                variable.assign_sub(m * alpha / (tf.sqrt(v) + EPSILON))
            elif self.optimizer == "rmsprop":
                (v,) = slots
                v.assign(RHO * v + (1 - RHO) * tf.square(gradient))
                variable.assign_sub(rate * gradient / tf.sqrt(v + EPSILON))
            elif self.momentum:
                (m,) = slots
                m.assign(m * self.momentum - gradient * rate)
                variable.assign_add(m)
            else:
                variable.assign_sub(gradient * rate)

    def _gather(self, batches: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Images and labels of [steps, members, size] batch indices, each from its own source."""
        return tf.gather(self.x_train, batches + self.train_offsets[None, :, None]), tf.gather(
            self.y_train, batches
        )

    def _step(self, images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One step of every member on its own batch ([members, size, pixels])."""
        with tf.GradientTape() as tape:
            logits = self._forward(images)
            losses = tf.reduce_mean(self._losses(labels, logits), axis=1)
            total = tf.reduce_sum(losses)  # members share no variable: each gets its own gradient
        self._apply(tape.gradient(total, self.variables))
        hits = tf.cast(tf.argmax(logits, axis=2, output_type=tf.int32) == labels, tf.float32)
        return losses, tf.reduce_sum(hits, axis=1)

    def _train_batches(self, images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Train on [steps, members, size, ...] gathered batches; per member, the summed
        per-sample loss and the number of correct predictions."""
        size = tf.cast(tf.shape(labels)[2], tf.float32)
        total, correct = tf.zeros([self.size]), tf.zeros([self.size])
        for index in tf.range(tf.shape(labels)[0]):
            losses, hits = self._step(images[index], labels[index])
            total += losses * size
            correct += hits
        return total, correct

    def _evaluate(self, train: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Every member's mean loss and accuracy on its own training or test set."""
        images, labels = (self.x_train, self.y_train) if train else (self.x_test, self.y_test)
        offsets = self.train_offsets if train else self.test_offsets
        count = tf.shape(labels)[0]
        total, correct = tf.zeros([self.size], tf.float64), tf.zeros([self.size], tf.float64)
        for start in tf.range(0, count, EVAL_CHUNK):
            rows = tf.range(start, tf.minimum(start + EVAL_CHUNK, count))
            logits = self._forward(tf.gather(images, rows[None, :] + offsets[:, None]))
            truth = tf.gather(labels, rows)[None, :] + tf.zeros([self.size, 1], tf.int32)
            total += tf.reduce_sum(tf.cast(self._losses(truth, logits), tf.float64), axis=1)
            predicted = tf.argmax(logits, axis=2, output_type=tf.int32)
            correct += tf.reduce_sum(tf.cast(predicted == truth, tf.float64), axis=1)
        size = tf.cast(count, tf.float64)
        return total / size, correct / size


def epoch_parts(
    orders: npt.NDArray[np.int64], batch: int
) -> list[tuple[bool, npt.NDArray[np.int64]]]:
    """An epoch's [steps, members, size] index arrays: whole chunks (compiled once), the batches
    left over, and a short last batch; `orders` holds one permutation per member."""
    members, size = orders.shape
    full = size - size % batch
    chunk = CHUNK_BATCHES * batch
    parts = []
    for begin in range(0, full - full % chunk, chunk):
        parts.append(
            (True, orders[:, begin : begin + chunk].reshape(members, -1, batch).transpose(1, 0, 2))
        )
    if full % chunk:
        left = orders[:, full - full % chunk : full]
        parts.append((False, left.reshape(members, -1, batch).transpose(1, 0, 2)))
    if full < size:
        parts.append((False, orders[:, full:][None, :, :]))
    return parts
