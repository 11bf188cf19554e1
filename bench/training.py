"""One job's training: the seed's plain Keras script against the service's path, same process.

Both train the seed's model on the full data with the same initial weights and the same
permutation each epoch; the plain script runs `model.fit` with Keras' defaults (batch 32).
"""

from typing import Any

import numpy as np

from harness.reference import plain_fit
from harness.training import Recorder, data_for
from models.spec import JobConfig
from worker.training.loop import TrainingData, train


def service_fit(
    config: JobConfig, data: TrainingData, seed: int, xla: bool
) -> list[tuple[float, float]]:
    """The worker's training path: (seconds, loss) per epoch, evaluation excluded."""
    recorder = Recorder()
    train(config, seed, data, recorder, xla=xla)
    return [(epoch.seconds, epoch.loss) for epoch in recorder.epochs[1:]]


def steady(figures: list[tuple[float, float]]) -> float:
    """Mean seconds per epoch after the first (which includes tracing and compiling)."""
    return float(np.mean([seconds for seconds, _ in figures[1:]]))


def measure(seed: int = 0, epochs: int = 5) -> dict[str, Any]:
    """Seconds per epoch of both, their ratio, and the largest per-epoch loss difference."""
    config = JobConfig.model_validate({"training": {"epochs": epochs}}).resolved()
    data = data_for(config)  # the full sets, divided by 255 as the seed does
    plain = [(epoch.seconds, epoch.loss) for epoch in plain_fit(config, data, seed)]
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
