"""The service's training path against plain `model.fit` of the seed's own model and data order."""

import keras
import numpy as np
import pytest

from tests.worker.helpers import Recorder, data_for, small_config
from worker.training.loop import TrainingData, train
from worker.training.trainer import initial_weights

# Without XLA the arithmetic is fit's own, its averages summed in another order; XLA also fuses
# and may reorder the step's arithmetic. Measured here on this test's 2,000 images x 3 epochs:
# 2e-7 relative either way; the bound leaves room for longer runs (make bench reports those).
TOLERANCE = {False: 1e-5, True: 1e-5}


def plain_fit(data: TrainingData, seed: int, epochs: int) -> list[tuple[float, float]]:
    """The seed question's script: Dense(10, softmax), Adam, sparse categorical cross-entropy,
    batch 32; fitted one epoch at a time on the same permutations the service draws."""
    config = small_config()
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
    order_rng = np.random.default_rng(seed)
    figures = []
    for _ in range(epochs):
        order = order_rng.permutation(len(data.y_train))
        history = model.fit(
            data.x_train[order],
            data.y_train[order],
            batch_size=32,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        test_loss, _ = model.evaluate(data.x_test, data.y_test, verbose=0)
        figures.append((history.history["loss"][0], test_loss))
    return figures


@pytest.mark.parametrize("xla", [False, True])
def test_per_epoch_losses_match_plain_fit(xla: bool) -> None:
    config = small_config(dataset={"train_size": 2000, "test_size": 500}, training={"epochs": 3})
    data = data_for(config)
    recorder = Recorder()
    train(config, 5, data, recorder, xla=xla)
    service = [(epoch.loss, epoch.test_loss) for epoch in recorder.epochs[1:]]
    reference = plain_fit(data, 5, 3)
    differences = [
        abs(a - b) / abs(b)
        for mine, theirs in zip(service, reference, strict=True)
        for a, b in zip(mine, theirs, strict=True)
    ]
    print(f"xla={xla}: largest relative difference {max(differences):.2e}")
    assert max(differences) < TOLERANCE[xla]
