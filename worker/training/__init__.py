"""Training the MLP; the only package that imports TensorFlow.

`results` is plain Python (no TensorFlow), so callers can name the types without loading it.
"""
