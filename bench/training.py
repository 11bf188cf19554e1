"""One job's training: the seed's plain Keras script against the service's path, same process.

Both train the seed's model on the full data with the same initial weights and the same
permutation each epoch; the plain script runs `model.fit` with Keras' defaults (batch 32).
"""

import time
from typing import Any

import keras
import numpy as np

from models.spec import JobConfig
from worker.data import load_fashion_mnist
from worker.preprocessing import preprocess
from worker.training.loop import TrainingData, train
from worker.training.results import EpochResult
from worker.training.trainer import initial_weights


class _Recorder:
    def __init__(self) -> None:
        self.epochs: list[EpochResult] = []

    def on_epoch(self, result: EpochResult) -> None:
        self.epochs.append(result)

    def on_progress(self, batches_done: int, batches_total: int) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def seed_data(config: JobConfig) -> TrainingData:
    """The full data, divided by 255 as the seed does."""
    full = load_fashion_mnist()
    x_train, x_test = preprocess(config.preprocessing, full.x_train, full.x_test)
    return TrainingData(x_train, full.y_train, x_test, full.y_test)


def plain_fit(config: JobConfig, data: TrainingData, seed: int) -> list[tuple[float, float]]:
    """The seed's script, one epoch per fit call on the service's permutations: (seconds, loss)."""
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.set_weights(initial_weights(config, seed))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    order_rng, figures = np.random.default_rng(seed), []
    for _ in range(config.training.epochs):
        order = order_rng.permutation(len(data.y_train))
        x, y = data.x_train[order], data.y_train[order]
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        figures.append((time.perf_counter() - start, float(history.history["loss"][0])))
    return figures


def service_fit(
    config: JobConfig, data: TrainingData, seed: int, xla: bool
) -> list[tuple[float, float]]:
    """The worker's training path: (seconds, loss) per epoch, evaluation excluded."""
    recorder = _Recorder()
    train(config, seed, data, recorder, xla=xla)
    return [(epoch.seconds, epoch.loss) for epoch in recorder.epochs[1:]]


def steady(figures: list[tuple[float, float]]) -> float:
    """Mean seconds per epoch after the first (which includes tracing and compiling)."""
    return float(np.mean([seconds for seconds, _ in figures[1:]]))


def measure(seed: int = 0, epochs: int = 5) -> dict[str, Any]:
    """Seconds per epoch of both, their ratio, and the largest per-epoch loss difference."""
    config = JobConfig.model_validate({"training": {"epochs": epochs}}).resolved()
    data = seed_data(config)
    plain = plain_fit(config, data, seed)
    results: dict[str, Any] = {"plain_fit_seconds_per_epoch": steady(plain)}
    for xla in (False, True):
        service = service_fit(config, data, seed, xla)
        name = "service_xla" if xla else "service"
        results[f"{name}_seconds_per_epoch"] = steady(service)
        results[f"{name}_ratio_to_plain"] = steady(service) / steady(plain)
        results[f"{name}_max_relative_loss_difference"] = max(
            abs(a - b) / b for (_, a), (_, b) in zip(service, plain, strict=True)
        )
        results[f"{name}_losses"] = [loss for _, loss in service]
    results["plain_fit_losses"] = [loss for _, loss in plain]
    return results
