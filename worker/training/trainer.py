"""A compiled training step for one model shape, kept between jobs and reset for each.

`model.fit` traces new TensorFlow functions for every model it meets, costing time and memory
that are never returned. A Trainer traces its functions once per architecture, loss,
optimizer kind and batch size; a job resets its weights, optimizer state and learning rate.
The arithmetic is that of `fit`: the same model call, loss, gradients and optimizer update.
"""

from functools import lru_cache

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

from models.spec import JobConfig, ModelSpec, TrainingSpec
from worker.training.losses import loss_function
from worker.training.network import build_model, build_optimizer

Weights = list[npt.NDArray[np.float32]]
CACHE_SIZE = 4


# Batches per compiled chunk: a fixed shape, so XLA compiles the chunk once per trainer; a
# small part of an epoch, since cancel requests and heartbeats wait for the chunk to end.
CHUNK_BATCHES = 125


class Trainer:
    """A model, its optimizer and the compiled functions that train and evaluate it."""

    def __init__(self, config: JobConfig, xla: bool) -> None:
        self.model = build_model(config.model)
        self.optimizer = build_optimizer(config.training)
        self.optimizer.build(self.model.trainable_variables)
        self.loss = loss_function(config.loss.mode)
        self.batch_size = config.training.batch_size
        self.train_chunk = tf.function(self._train_batches, jit_compile=xla)
        self.train_batches = tf.function(self._train_batches, reduce_retracing=True)
        self.gather = tf.function(self._gather, reduce_retracing=True)
        # A whole set in one call: compiled once per set size, which a sweep shares.
        self.evaluate_set = tf.function(self._evaluate_set, jit_compile=xla)

    def reset(self, weights: Weights, learning_rate: float) -> None:
        """Start afresh: these initial weights, zeroed optimizer state, this learning rate."""
        self.model.set_weights(weights)
        for variable in self.optimizer.variables:
            variable.assign(tf.zeros_like(variable))
        self.optimizer.learning_rate.assign(learning_rate)

    def _gather(
        self, images: tf.Tensor, labels: tf.Tensor, batches: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Inputs and labels batch by batch: `batches` holds one row of indices per batch."""
        return tf.gather(images, batches), tf.gather(labels, batches)

    def _train_step(self, images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            logits = self.model(images, training=True)
            loss = tf.reduce_mean(self.loss(labels, logits))
        variables = self.model.trainable_variables
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        predicted = tf.argmax(logits, axis=1, output_type=tf.int32)
        return loss, tf.reduce_sum(tf.cast(predicted == labels, tf.float32))

    def _train_batches(self, images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Train on each batch in turn ([batches, size, ...]); the summed per-sample loss
        (each batch's mean times its size) and the number of correct predictions."""
        size = tf.cast(tf.shape(images)[1], tf.float32)
        total, correct = tf.constant(0.0), tf.constant(0.0)
        for index in tf.range(tf.shape(images)[0]):
            loss, hits = self._train_step(images[index], labels[index])
            total += loss * size
            correct += hits
        return total, correct

    def _evaluate_set(self, images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Summed loss and correct predictions over a whole set."""
        logits = self.model(images, training=False)
        losses = tf.cast(self.loss(labels, logits), tf.float64)
        predicted = tf.argmax(logits, axis=1, output_type=tf.int32)
        return tf.reduce_sum(losses), tf.reduce_sum(tf.cast(predicted == labels, tf.float64))


def trainer_for(config: JobConfig, xla: bool) -> Trainer:
    """The cached trainer for this config's shape, built on first use; the oldest is dropped."""
    return _trainer(_shape(config).model_dump_json(), xla)


def _shape(config: JobConfig) -> JobConfig:
    """What a compiled trainer depends on: not the seed, the data, the initializer or the
    learning rate, which a job sets afresh."""
    model, training = config.model, config.training
    return JobConfig(
        model=ModelSpec(hidden_layers=model.hidden_layers, activation=model.activation),
        training=TrainingSpec(
            optimizer=training.optimizer,
            momentum=training.momentum,
            batch_size=training.batch_size,
        ),
        loss=config.loss,
    )


@lru_cache(maxsize=CACHE_SIZE)
def _trainer(shape: str, xla: bool) -> Trainer:
    return Trainer(JobConfig.model_validate_json(shape), xla)


def initial_weights(config: JobConfig, seed: int) -> Weights:
    """The weights a fresh Keras model of this config gets after `set_random_seed(seed)`."""
    keras.utils.set_random_seed(seed)
    weights: Weights = build_model(config.model).get_weights()
    return weights
