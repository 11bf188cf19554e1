"""The Keras MLP and its optimizer, built from a job's config."""

import keras

from models.spec import ModelSpec, TrainingSpec

IMAGE_SHAPE = (28, 28)
CLASSES = 10


def build_model(spec: ModelSpec) -> keras.Model:
    """Flatten, the hidden Dense layers, then Dense(10) giving logits.

    The output layer's softmax is applied inside the loss and by whoever reads probabilities,
    so both loss modes start from the same logits.
    """
    layers: list[keras.layers.Layer] = [keras.Input(IMAGE_SHAPE), keras.layers.Flatten()]
    for index, units in enumerate(spec.hidden_layers, start=1):
        layers.append(
            keras.layers.Dense(
                units,
                activation=spec.activation,
                kernel_initializer=spec.initializer,
                name=f"hidden_{index}",
            )
        )
    layers.append(keras.layers.Dense(CLASSES, kernel_initializer=spec.initializer, name="output"))
    return keras.Sequential(layers, name="mlp")


def build_optimizer(spec: TrainingSpec) -> keras.optimizers.Optimizer:
    """The spec's optimizer with Keras' defaults for everything the spec does not set."""
    rate = spec.resolved().learning_rate
    if spec.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=spec.momentum)
    if spec.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)
