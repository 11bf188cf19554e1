"""Process-wide TensorFlow set-up, done once before the first operation runs."""

import os
from functools import cache

# Quiet TensorFlow's C++ start-up chatter; must be set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf


@cache
def configure(threads: int) -> None:
    """Set TensorFlow's thread pools (0 lets TensorFlow choose); only the first call counts."""
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
