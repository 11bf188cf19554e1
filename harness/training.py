"""Small real training inputs for tests and benchmarks: subsets of the real Fashion-MNIST."""

from functools import cache
from typing import Any

from analysis.epochs import EpochResult
from models.spec import JobConfig
from worker.data import FashionMnist, load_fashion_mnist
from worker.preprocessing import preprocess
from worker.training.loop import TrainingData


@cache
def fashion_mnist() -> FashionMnist:
    """The real dataset, loaded once for the test process."""
    return load_fashion_mnist()


def small_config(**sections: Any) -> JobConfig:
    """A quick config: 512 training and 256 test images, one epoch, overridable by section."""
    data: dict[str, Any] = {
        "dataset": {"train_size": 512, "test_size": 256},
        "training": {"epochs": 1},
    }
    for section, values in sections.items():
        data[section] = {**data.get(section, {}), **values}
    return JobConfig.model_validate(data).resolved()


def data_for(config: JobConfig) -> TrainingData:
    """The config's subsets, preprocessed."""
    full = fashion_mnist()
    n, m = config.dataset.train_size, config.dataset.test_size
    x_train, x_test = preprocess(config.preprocessing, full.x_train[:n], full.x_test[:m])
    return TrainingData(x_train, full.y_train[:n], x_test, full.y_test[:m])


class Recorder:
    """Training hooks that keep every epoch and stop after a number of stop checks."""

    def __init__(self, stop_after_checks: int | None = None) -> None:
        self.epochs: list[EpochResult] = []
        self.checks = 0
        self.stop_after_checks = stop_after_checks
        self.progress = (0, 0)

    def on_epoch(self, result: EpochResult) -> None:
        """Keep the epoch."""
        self.epochs.append(result)

    def on_progress(self, batches_done: int, batches_total: int) -> None:
        """Keep the latest progress."""
        self.progress = (batches_done, batches_total)

    def should_stop(self) -> bool:
        """Stop once the given number of checks has passed."""
        self.checks += 1
        return self.stop_after_checks is not None and self.checks > self.stop_after_checks

    def figures(self) -> list[tuple[float, float, float, float]]:
        """Every epoch's losses and accuracies, without the timings."""
        return [(r.loss, r.accuracy, r.test_loss, r.test_accuracy) for r in self.epochs]
