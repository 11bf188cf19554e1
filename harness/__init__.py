"""What tests and benchmarks share: real databases, the real service in subprocesses, training
helpers and the plain-Keras reference. It imports neither tests nor bench."""
