"""The seed question's script in plain Keras: the reference the service's training is held to."""

import time
from dataclasses import dataclass

import keras
import numpy as np

from models.spec import JobConfig
from worker.training.loop import TrainingData
from worker.training.trainer import initial_weights


@dataclass(frozen=True)
class PlainEpoch:
    """One epoch of `model.fit`: its seconds (fit only), train loss and test loss."""

    seconds: float
    loss: float
    test_loss: float


def seed_model(config: JobConfig, seed: int) -> keras.Sequential:
    """Dense(128, relu) then Dense(10, softmax), Adam, sparse categorical cross-entropy."""
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
    return model


def plain_fit(config: JobConfig, data: TrainingData, seed: int) -> list[PlainEpoch]:
    """`model.fit` with Keras' defaults (batch 32), one epoch per call on the service's
    permutations, then `model.evaluate` on the test set."""
    model, order_rng, epochs = seed_model(config, seed), np.random.default_rng(seed), []
    for _ in range(config.training.epochs):
        order = order_rng.permutation(len(data.y_train))
        x, y = data.x_train[order], data.y_train[order]
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        seconds = time.perf_counter() - start
        test_loss, _ = model.evaluate(data.x_test, data.y_test, verbose=0)
        epochs.append(PlainEpoch(seconds, float(history.history["loss"][0]), float(test_loss)))
    return epochs
