"""The training run: `fit`'s semantics, one compiled chunk of batches at a time.

Each epoch visits the training images in a permutation drawn from the seed alone, in batches
of `batch_size` (a short last batch when the size is not a multiple), updating after every
batch; its reported loss and accuracy are the epoch's averages over samples, as Keras reports
them. The test set is evaluated after every epoch; epoch 0 evaluates both sets untrained.
"""

import gc
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import tensorflow as tf

from analysis.epochs import EpochResult
from models.spec import JobConfig
from worker.preprocessing import ALIGNMENT
from worker.training.probe import Probe
from worker.training.results import Ending, TrainingHooks, TrainingOutcome
from worker.training.trainer import CHUNK_BATCHES, Trainer, initial_weights, trainer_for

TENSOR_CACHE_SIZE = 8

Images = npt.NDArray[np.float32]
Labels = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class TrainingData:
    """Preprocessed float32 images with their labels."""

    x_train: Images
    y_train: Labels
    x_test: Images
    y_test: Labels


class _Identity:
    """An array as a cache key: equal only to the same array, which the cache keeps alive."""

    def __init__(self, array: npt.NDArray[np.generic]) -> None:
        self.array = array

    def __hash__(self) -> int:
        return id(self.array)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.array is self.array


def as_tensor(array: npt.NDArray[np.generic], dtype: tf.DType) -> tf.Tensor:
    """The array as a TensorFlow tensor, made once and kept while the array is in use."""
    return _tensor(_Identity(array), dtype)


@lru_cache(maxsize=TENSOR_CACHE_SIZE)
def _tensor(key: _Identity, dtype: tf.DType) -> tf.Tensor:
    return _to_tensor(key.array, dtype)


def _to_tensor(array: npt.NDArray[np.generic], dtype: tf.DType) -> tf.Tensor:
    """A tensor over the array's own memory where TensorFlow can share it (the dtype already
    right, C-ordered, aligned: TensorFlow aborts the process on unaligned memory); else a copy."""
    shareable = array.flags.c_contiguous and array.flags.writeable and array.size > 0
    if shareable and array.dtype == dtype.as_numpy_dtype and array.ctypes.data % ALIGNMENT == 0:
        numbers = cast(npt.NDArray[np.number[Any]], array)  # its dtype is TensorFlow's
        return tf.experimental.dlpack.from_dlpack(numbers.__dlpack__())
    return tf.cast(tf.convert_to_tensor(array), dtype)


def evaluate(trainer: Trainer, images: Images, labels: Labels) -> tuple[float, float]:
    """Mean loss and accuracy over a set, as Keras' `evaluate` reports them."""
    total, correct = trainer.evaluate_set(
        as_tensor(images, tf.float32), as_tensor(labels, tf.int32)
    )
    return float(total) / len(labels), float(correct) / len(labels)


def initial_evaluation(trainer: Trainer, data: TrainingData, probe: Probe) -> EpochResult:
    """Epoch 0: both sets evaluated, and the probe measured, before any training step."""
    start = time.perf_counter()
    loss, accuracy = evaluate(trainer, data.x_train, data.y_train)
    test_loss, test_accuracy = evaluate(trainer, data.x_test, data.y_test)
    seconds = time.perf_counter() - start
    return EpochResult(0, loss, accuracy, test_loss, test_accuracy, seconds, probe.measure(0))


def fit_epoch(
    trainer: Trainer, data: TrainingData, order: npt.NDArray[np.int64], hooks: TrainingHooks
) -> tuple[float, float] | None:
    """One pass in the given order; the epoch's mean loss and accuracy, or None if stopped.

    Whole chunks of batches run in one compiled call each; the batches left over run one
    compiled step at a time, and a short last batch on its own, as `fit` would.
    """
    x, y = as_tensor(data.x_train, tf.float32), as_tensor(data.y_train, tf.int32)
    batch, size = trainer.batch_size, len(order)
    chunk, full = CHUNK_BATCHES * batch, size - size % batch
    parts = [
        (trainer.train_chunk, order[begin : begin + chunk])
        for begin in range(0, full - full % chunk, chunk)
    ]
    if full % chunk:
        parts.append((trainer.train_batches, order[full - full % chunk : full]))
    if full < size:
        parts.append((trainer.train_batches, order[full:]))
    total = correct = 0.0
    batches_total, batches_done = -(-size // batch), 0
    for run, indices in parts:
        images, labels = trainer.gather(
            x, y, tf.constant(indices.reshape(-1, min(batch, len(indices))), tf.int32)
        )
        loss, hits = run(images, labels)
        total, correct = total + float(loss), correct + float(hits)
        batches_done += len(images)
        hooks.on_progress(batches_done, batches_total)
        if hooks.should_stop():
            return None
    return total / size, correct / size


def prepare(config: JobConfig, seed: int, xla: bool) -> Trainer:
    """The compiled trainer for this config, reset to the seed's initial weights."""
    weights = initial_weights(config, seed)
    trainer = trainer_for(config, xla)
    learning_rate = config.training.resolved().learning_rate
    assert learning_rate is not None
    trainer.reset(weights, learning_rate)
    return trainer


def train(
    config: JobConfig, seed: int, data: TrainingData, hooks: TrainingHooks, *, xla: bool = False
) -> TrainingOutcome:
    """Train as the seed's `model.fit` does, reporting every epoch to the hooks.

    The data order of each epoch is a permutation drawn from the seed alone, so two configs
    with the same seed and train size see the same batches in the same order.
    """
    trainer = prepare(config, seed, xla)
    probe = Probe(trainer.model, data.x_train, data.y_train, trainer.loss)
    result = initial_evaluation(trainer, data, probe)
    hooks.on_epoch(result)
    if not result.finite:
        return TrainingOutcome(Ending.DIVERGED, 0)
    order_rng = np.random.default_rng(seed)
    for epoch in range(1, config.training.epochs + 1):
        order = order_rng.permutation(len(data.y_train))
        start = time.perf_counter()
        fitted = None if hooks.should_stop() else fit_epoch(trainer, data, order, hooks)
        if fitted is None:
            return TrainingOutcome(Ending.CANCELLED, epoch - 1)
        seconds = time.perf_counter() - start
        test_loss, test_accuracy = evaluate(trainer, data.x_test, data.y_test)
        result = EpochResult(
            epoch, *fitted, test_loss, test_accuracy, seconds, probe.measure(epoch)
        )
        hooks.on_epoch(result)
        if not result.finite:
            return TrainingOutcome(Ending.DIVERGED, epoch)
    return TrainingOutcome(Ending.COMPLETED, config.training.epochs)


def release_model_state() -> None:
    """Collect what a finished job left behind; compiled trainers stay for the next job."""
    gc.collect()
