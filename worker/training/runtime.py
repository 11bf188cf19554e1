"""Process-wide TensorFlow set-up, done once before the first operation runs."""

import logging
import os
from functools import cache

# Quiet TensorFlow's C++ start-up chatter; must be set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

log = logging.getLogger(__name__)


@cache
def configure(threads: int) -> None:
    """Set TensorFlow's thread pools (0 lets TensorFlow choose); only the first call counts."""
    if not threads:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        # TensorFlow already ran an operation in this process (a test, say): keep its pools.
        log.warning("TensorFlow already initialised; its thread pools stay as they are")
