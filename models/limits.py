"""Limits derived from a spec's size: the work it asks for, and how long a job may take."""

import itertools
import math

from models.spec import JobConfig

IMAGE_PIXELS = 28 * 28
CLASSES = 10
# The loss of a uniform guess over the classes: what a model that learned nothing scores.
CHANCE_LOSS = math.log(CLASSES)
# One experiment may ask for at most this many units of work (jobs x epochs x training
# images x parameters): room for more than twice the 7-preprocessing x 5-seed sweep on the
# full data.
MAX_EXPERIMENT_WORK = 3e12
# A deliberately slow arithmetic rate, far below what the worker reaches, so a job on a loaded
# machine is not cut short: 6 flops per parameter and image, forward and back.
ASSUMED_FLOPS_PER_SECOND = 5e8
FLOPS_PER_WORK_UNIT = 6
JOB_OVERHEAD_SECONDS = 120


def parameters(config: JobConfig) -> int:
    """Trainable parameters of the config's MLP: weights and biases of every Dense layer."""
    widths = [IMAGE_PIXELS, *config.model.hidden_layers, CLASSES]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths))


def work(config: JobConfig) -> float:
    """Epochs x training images x parameters, with one more pass for the evaluations."""
    passes = config.training.epochs + 1
    return float(passes * config.dataset.train_size * parameters(config))


def time_limit_seconds(config: JobConfig) -> int:
    """How long a job may run before its soft time limit ends it as failed."""
    return seconds_for_work(work(config))


def seconds_for_work(units: float) -> int:
    """How long this much work may take at the assumed rate, with a job's overhead."""
    return JOB_OVERHEAD_SECONDS + int(units * FLOPS_PER_WORK_UNIT / ASSUMED_FLOPS_PER_SECOND)
