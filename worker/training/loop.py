"""The training run: Keras' `fit` one epoch at a time, evaluating the test set after each."""

import gc
import time
from dataclasses import dataclass

import keras
import numpy as np
import numpy.typing as npt

from models.spec import JobConfig
from worker.training.losses import loss_function
from worker.training.network import build_model, build_optimizer
from worker.training.probe import Probe
from worker.training.results import Ending, EpochResult, TrainingHooks, TrainingOutcome

EVAL_BATCH_SIZE = 1024

Images = npt.NDArray[np.float32]
Labels = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class TrainingData:
    """Preprocessed float32 images with their labels."""

    x_train: Images
    y_train: Labels
    x_test: Images
    y_test: Labels


class _StopWhenAsked(keras.callbacks.Callback):  # type: ignore[misc]
    """Asks the hooks between batches whether to stop, and remembers that it did."""

    def __init__(self, hooks: TrainingHooks) -> None:
        super().__init__()
        self.hooks = hooks
        self.stopped = False

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self.hooks.should_stop():
            self.stopped = True
            self.model.stop_training = True


def compile_model(config: JobConfig, seed: int, steps_per_execution: int) -> keras.Model:
    """Seed every generator, then build and compile the model: same seed, same weights."""
    keras.utils.set_random_seed(seed)
    model = build_model(config.model)
    model.compile(
        optimizer=build_optimizer(config.training),
        loss=loss_function(config.loss.mode),
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def evaluate(model: keras.Model, images: Images, labels: Labels) -> tuple[float, float]:
    """Mean loss and accuracy of the model on a set, as Keras' `evaluate` reports them."""
    loss, accuracy = model.evaluate(images, labels, batch_size=EVAL_BATCH_SIZE, verbose=0)
    return float(loss), float(accuracy)


def initial_evaluation(model: keras.Model, data: TrainingData, probe: Probe) -> EpochResult:
    """Epoch 0: both sets evaluated, and the probe measured, before any training step."""
    start = time.perf_counter()
    loss, accuracy = evaluate(model, data.x_train, data.y_train)
    test_loss, test_accuracy = evaluate(model, data.x_test, data.y_test)
    seconds = time.perf_counter() - start
    return EpochResult(0, loss, accuracy, test_loss, test_accuracy, seconds, probe.measure(0))


def fit_epoch(
    model: keras.Model,
    data: TrainingData,
    order: npt.NDArray[np.int64],
    batch_size: int,
    stop: _StopWhenAsked,
) -> tuple[float, float]:
    """One pass in the given order; Keras' epoch averages of loss and accuracy."""
    history = model.fit(
        data.x_train[order],
        data.y_train[order],
        batch_size=batch_size,
        epochs=1,
        shuffle=False,
        verbose=0,
        callbacks=[stop],
    )
    return float(history.history["loss"][-1]), float(history.history["accuracy"][-1])


def train(
    config: JobConfig,
    seed: int,
    data: TrainingData,
    hooks: TrainingHooks,
    *,
    steps_per_execution: int = 1,
) -> TrainingOutcome:
    """Train as the seed's `model.fit` does, reporting every epoch to the hooks.

    The data order of each epoch is a permutation drawn from the seed alone, so two configs
    with the same seed and train size see the same batches in the same order.
    """
    model = compile_model(config, seed, steps_per_execution)
    probe = Probe(model, data.x_train, data.y_train, loss_function(config.loss.mode))
    result = initial_evaluation(model, data, probe)
    hooks.on_epoch(result)
    if not result.finite:
        return TrainingOutcome(Ending.DIVERGED, 0)
    order_rng = np.random.default_rng(seed)
    stop = _StopWhenAsked(hooks)
    for epoch in range(1, config.training.epochs + 1):
        order = order_rng.permutation(len(data.y_train))
        if hooks.should_stop():
            return TrainingOutcome(Ending.CANCELLED, epoch - 1)
        start = time.perf_counter()
        loss, accuracy = fit_epoch(model, data, order, config.training.batch_size, stop)
        if stop.stopped:
            return TrainingOutcome(Ending.CANCELLED, epoch - 1)
        seconds = time.perf_counter() - start
        test_loss, test_accuracy = evaluate(model, data.x_test, data.y_test)
        result = EpochResult(
            epoch, loss, accuracy, test_loss, test_accuracy, seconds, probe.measure(epoch)
        )
        hooks.on_epoch(result)
        if not result.finite:
            return TrainingOutcome(Ending.DIVERGED, epoch)
    return TrainingOutcome(Ending.COMPLETED, config.training.epochs)


def release_model_state() -> None:
    """Free what Keras keeps between models, so one process can train job after job."""
    keras.backend.clear_session()
    gc.collect()
