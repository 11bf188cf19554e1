"""The probe pass: a forward pass and a gradient on the fixed probe sample, between epochs."""

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

from analysis.names import OUTPUT, PROBE, PROBE_LOSS, hidden, name
from models.limits import CHANCE_LOSS
from worker import diagnostics
from worker.training.losses import LossFunction

Weights = list[npt.NDArray[np.float32]]


class Probe:
    """Measures the model on the probe sample with the job's own loss; no randomness used."""

    def __init__(
        self,
        model: keras.Model,
        images: npt.NDArray[np.float32],
        labels: npt.NDArray[np.uint8],
        loss: LossFunction,
    ) -> None:
        indices = diagnostics.probe_indices(len(labels))
        self.model = model
        self.images = tf.constant(images[indices])
        self.labels = labels[indices].astype(np.int64)
        self.loss = loss
        self.dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        self.previous: list[Weights] | None = None

    def _forward(self) -> tuple[list[tf.Tensor], tf.Tensor]:
        """Every Dense layer's output, in order; the last one is the logits."""
        outputs, value = [], self.images
        for layer in self.model.layers:
            value = layer(value)
            if isinstance(layer, keras.layers.Dense):
                outputs.append(value)
        return outputs, outputs[-1]

    def measure(self, epoch: int) -> dict[str, float]:
        """All diagnostics of this epoch; the input's statistics at epoch 0 only."""
        # A diverged model gives NaN statistics: stored as NULL, not worth a warning.
        with np.errstate(invalid="ignore", over="ignore"):
            return self._measure(epoch)

    def _measure(self, epoch: int) -> dict[str, float]:
        with tf.GradientTape() as tape:
            outputs, logits = self._forward()
            probe_loss = tf.reduce_mean(self.loss(tf.constant(self.labels), logits))
        variables = [layer.trainable_variables for layer in self.dense]
        gradients = tape.gradient(probe_loss, variables)
        values = {PROBE_LOSS: float(probe_loss)}
        if epoch == 0:
            values |= diagnostics.input_stats(self.images.numpy())
            values[name(PROBE, "chance_loss")] = CHANCE_LOSS
        values |= diagnostics.output_stats(logits.numpy(), self.labels)
        for number, (layer, activations) in enumerate(
            zip(self.dense[:-1], outputs[:-1], strict=True), start=1
        ):
            values |= diagnostics.hidden_stats(hidden(number), activations.numpy())
            activation = str(keras.activations.serialize(layer.activation))
            values |= diagnostics.saturated_share(hidden(number), activation, activations.numpy())
        values |= self._layer_stats(gradients)
        return values

    def _layer_stats(self, gradients: list[list[tf.Tensor]]) -> dict[str, float]:
        weights = [[v.numpy() for v in layer.trainable_variables] for layer in self.dense]
        subjects = [hidden(k) for k in range(1, len(self.dense))] + [OUTPUT]
        values: dict[str, float] = {}
        for index, subject in enumerate(subjects):
            previous = self.previous[index] if self.previous is not None else None
            grads = [g.numpy() for g in gradients[index]]
            values |= diagnostics.layer_stats(subject, grads, weights[index], previous)
        self.previous = weights
        return values
