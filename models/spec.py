"""The experiment spec, the contract between API and worker: one job's config, bounded."""

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

PreprocessingMethod = Literal[
    "none", "scale", "center", "minmax", "standardize", "standardize_per_pixel"
]
Activation = Literal["relu", "tanh", "sigmoid", "elu", "leaky_relu", "selu", "gelu"]
Initializer = Literal["glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal"]
OptimizerName = Literal["adam", "sgd", "rmsprop"]
LossMode = Literal["from_logits", "clipped_probabilities"]
# The final figures configs are compared on (analysis.report.comparisons.Metric names the same).
FinalFigure = Literal["loss", "accuracy", "test_loss", "test_accuracy"]

DEFAULT_DIVISOR = 255.0
# The worker divides pixels in float32, whose largest number is 3.4e38: from this divisor up a
# pixel of 255 stays finite (2.55e38); below it the brightest pixels, then every non-zero one,
# become infinite (5e-324 is 0 in float32: every pixel infinite or NaN). At the largest divisor
# a pixel of 1 is 1e-12, far above float32's smallest number, so no pixel underflows to 0.
MIN_DIVISOR = 1e-36
MAX_DIVISOR = 1e12
# Keras' own default learning rate for each optimizer.
DEFAULT_LEARNING_RATES: dict[str, float] = {"adam": 0.001, "sgd": 0.01, "rmsprop": 0.001}
TRAIN_IMAGES = 60_000
TEST_IMAGES = 10_000


# Validation context of a config merged from sections written apart (a variant over the base):
# a divisor the base gave may meet a variant's method that ignores it.
MERGED = "merged"


def field_error(
    title: str, loc: tuple[str | int, ...], message: str, value: object
) -> ValidationError:
    """A validation error located at `loc` inside the model being validated: raised from a
    validator, it names that field (`seeds.max`), not the whole model."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    details = InitErrorDetails(type=error, loc=loc, input=value)
    return ValidationError.from_exception_data(title, [details])


def located(error: ValidationError, prefix: tuple[str | int, ...]) -> ValidationError:
    """The same errors, each located under `prefix`, their messages kept."""
    details = [
        InitErrorDetails(
            type=PydanticCustomError("value_error", "{message}", {"message": item["msg"]}),
            loc=(*prefix, *item["loc"]),
            input=item["input"],
        )
        for item in error.errors()
    ]
    return ValidationError.from_exception_data(error.title, details)


class SpecModel(BaseModel):
    """Base of every spec model: unknown fields, non-finite numbers and coercions (`true` for
    a size, `"5"` for a number) are rejected."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class DatasetSpec(SpecModel):
    """Which data: the first `train_size` training and `test_size` test images."""

    name: Literal["fashion_mnist"] = Field(
        "fashion_mnist", description="the dataset; only Fashion-MNIST"
    )
    train_size: int = Field(
        TRAIN_IMAGES, ge=1, le=TRAIN_IMAGES, description="how many training images, from the first"
    )
    test_size: int = Field(
        TEST_IMAGES, ge=1, le=TEST_IMAGES, description="how many test images, from the first"
    )


class PreprocessingSpec(SpecModel):
    """How pixels become inputs; `divisor` applies to `scale` only (default 255)."""

    method: PreprocessingMethod = Field(
        "scale",
        description="how pixels become inputs: none (raw 0-255), scale (divided by divisor), "
        "center, minmax, standardize (one mean and std), standardize_per_pixel",
    )
    divisor: float | None = Field(
        None,
        gt=0,
        le=MAX_DIVISOR,
        # As a schema bound only: the validator below says why in words.
        json_schema_extra={"minimum": MIN_DIVISOR},
        description="for scale only: inputs are pixels / divisor (default 255)",
    )

    @field_validator("divisor")
    @classmethod
    def _divisor_keeps_pixels_finite(cls, divisor: float | None) -> float | None:
        if divisor is not None and divisor < MIN_DIVISOR:
            raise ValueError(
                f"must be at least {MIN_DIVISOR:g}: a smaller divisor makes pixels infinite"
            )
        return divisor

    @field_validator("divisor")
    @classmethod
    def _divisor_only_for_scale(cls, divisor: float | None, info: ValidationInfo) -> float | None:
        written_together = not (info.context and info.context.get(MERGED))
        method = info.data.get("method")
        if divisor is not None and written_together and method not in (None, "scale"):
            raise ValueError(f"divisor applies only to method 'scale', not '{method}'")
        return divisor

    def resolved(self) -> "PreprocessingSpec":
        """Fill the default divisor for `scale`, drop it for every other method."""
        if self.method != "scale":
            return self.model_copy(update={"divisor": None})
        return self.model_copy(update={"divisor": self.divisor or DEFAULT_DIVISOR})


class ModelSpec(SpecModel):
    """The MLP: Flatten, the hidden Dense layers, then Dense(10, softmax)."""

    hidden_layers: list[Annotated[int, Field(ge=1, le=4096)]] = Field(
        default_factory=lambda: [128],
        max_length=8,
        description="units of each hidden Dense layer",
    )
    activation: Activation = Field("relu", description="activation of the hidden layers")
    initializer: Initializer = Field(
        "glorot_uniform", description="kernel initializer of every Dense layer"
    )


class TrainingSpec(SpecModel):
    """Optimizer and schedule; `learning_rate` defaults to Keras' default for the optimizer."""

    optimizer: OptimizerName = Field("adam", description="adam, sgd or rmsprop")
    learning_rate: float | None = Field(
        None, gt=0, le=10, description="default: Keras' default for the optimizer"
    )
    momentum: float = Field(0.0, ge=0, lt=1, description="for sgd only")
    epochs: int = Field(5, ge=1, le=200, description="passes over the training images")
    batch_size: int = Field(32, ge=1, le=TRAIN_IMAGES, description="images per gradient step")

    def resolved(self) -> "TrainingSpec":
        """Fill the optimizer's default learning rate; refuse momentum for other optimizers."""
        # Checked here, on the merged config, so that a variant may set momentum over an sgd base.
        if self.momentum and self.optimizer != "sgd":
            raise ValueError(
                f"training.momentum applies only to optimizer 'sgd', not '{self.optimizer}'"
            )
        rate = self.learning_rate or DEFAULT_LEARNING_RATES[self.optimizer]
        return self.model_copy(update={"learning_rate": rate})


class LossSpec(SpecModel):
    """How cross-entropy is computed: from the logits, or from clipped probabilities."""

    mode: LossMode = Field(
        "from_logits",
        description="from_logits: cross-entropy from the logits (stable); clipped_probabilities: "
        "from softmax outputs clipped to [1e-7, 1 - 1e-7], as Keras once did",
    )


class JobConfig(SpecModel):
    """One job's full config; every part defaults to the seed question's /255 model."""

    dataset: DatasetSpec = Field(default_factory=DatasetSpec, description="which images")
    preprocessing: PreprocessingSpec = Field(
        default_factory=PreprocessingSpec, description="how pixels become inputs"
    )
    model: ModelSpec = Field(default_factory=ModelSpec, description="the MLP")
    training: TrainingSpec = Field(
        default_factory=TrainingSpec, description="optimizer and schedule"
    )
    loss: LossSpec = Field(
        default_factory=LossSpec, description="how the cross-entropy is computed"
    )

    def key(self) -> str:
        """A hash of the resolved config: equal for jobs that differ only by seed."""
        canonical = json.dumps(self.resolved().model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def resolved(self) -> "JobConfig":
        """Return the config with every default made explicit, as a job stores it."""
        return self.model_copy(
            update={
                "preprocessing": self.preprocessing.resolved(),
                "training": self.training.resolved(),
            }
        )
