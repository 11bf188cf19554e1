"""The 7 preprocessings x 5 seeds sweep, end to end through the API, against its arithmetic."""

import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from harness.service import running_service

PREPROCESSINGS: list[dict[str, Any]] = [
    {"method": "none"},
    {"method": "scale", "divisor": 10},
    {"method": "scale", "divisor": 255},
    {"method": "scale", "divisor": 1000},
    {"method": "scale", "divisor": 1e5},
    {"method": "center"},
    {"method": "standardize"},
]
SWEEP = {
    "name": "sweep 7 x 5",
    "variants": [{"preprocessing": p} for p in PREPROCESSINGS],
    "seeds": [0, 1, 2, 3, 4],
}
TRAIN, TEST, EPOCHS, BATCH = 60000, 10000, 5, 32
WIDTHS = (784, 128, 10)


def sweep_flops() -> float:
    """Multiply-adds x 2 of the whole sweep: training (forward, weight and input gradients;
    none for the input layer's input) and the evaluations (epoch 0 on both sets, test after
    every epoch)."""
    layers = list(itertools.pairwise(WIDTHS))
    forward = sum(2 * a * b for a, b in layers)
    backward = sum(2 * a * b for a, b in layers) + sum(2 * a * b for a, b in layers[1:])
    per_job = TRAIN * EPOCHS * (forward + backward) + (TRAIN + TEST * (EPOCHS + 1)) * forward
    return len(PREPROCESSINGS) * 5 * per_job


def matmul_flops_per_second(seconds: float = 2.0) -> float:
    """What this machine sustains on the sweep's own shapes: batches of 32 against 784 x 128."""
    a = tf.constant(np.random.default_rng(0).random((32, 784), np.float32))
    b = tf.constant(np.random.default_rng(1).random((784, 128), np.float32))
    step = tf.function(lambda: tf.reduce_sum(tf.stack([tf.matmul(a + i, b) for i in range(64)])))
    step()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        runs += 1
    return runs * 64 * 2 * 32 * 784 * 128 / (time.perf_counter() - start)


def measure(database_url: str, redis_url: str, concurrency: int) -> dict[str, Any]:
    """Wall time from POST to the last job's end: one worker of this concurrency, TensorFlow
    threads to match (two for one training, one each for two)."""
    threads = "1" if concurrency > 1 else "2"
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(
            database_url,
            redis_url,
            Path(logs),
            NORMLAB_WORKER_CONCURRENCY=str(concurrency),
            NORMLAB_TF_THREADS=threads,
        ) as service,
    ):
        service.warm_up(jobs=concurrency)
        start = time.perf_counter()
        experiment = service.post("/experiments", SWEEP).json()
        done = service.wait_experiment(experiment["id"], timeout=3600)
        wall = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "seconds": wall,
        "jobs": len(done["jobs"]),
        "succeeded": done["counts"]["succeeded"],
    }
