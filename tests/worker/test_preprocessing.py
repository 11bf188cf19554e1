"""Every preprocessing method on hand-made images, with exact values."""

from typing import get_args

import numpy as np
import pytest

from models.spec import MAX_DIVISOR, MIN_DIVISOR, PreprocessingMethod, PreprocessingSpec
from worker.preprocessing import ALIGNMENT, preprocess

# Two 1x3 "images": the first pixel varies, the second is constant, the third varies.
TRAIN = np.array([[[0, 7, 255]], [[100, 7, 55]]], dtype=np.uint8)
TEST = np.array([[[50, 7, 155]]], dtype=np.uint8)


def run(method: str, divisor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Preprocess the hand-made sets with one method."""
    spec = PreprocessingSpec.model_validate({"method": method, "divisor": divisor})
    return preprocess(spec, TRAIN, TEST)


def test_none_keeps_raw_pixel_values_as_float32() -> None:
    train, test = run("none")
    assert train.dtype == np.float32
    np.testing.assert_array_equal(train, TRAIN.astype(np.float32))
    np.testing.assert_array_equal(test, [[[50, 7, 155]]])


def test_scale_divides_by_the_divisor() -> None:
    train, test = run("scale", 1000)
    np.testing.assert_array_equal(
        train, np.array([[[0, 0.007, 0.255]], [[0.1, 0.007, 0.055]]], dtype=np.float32)
    )
    np.testing.assert_array_equal(test, np.array([[[0.05, 0.007, 0.155]]], dtype=np.float32))


@pytest.mark.parametrize("divisor", [MIN_DIVISOR, MAX_DIVISOR])
def test_scale_at_either_bound_of_the_divisor_keeps_every_input_finite_and_pixels_apart(
    divisor: float,
) -> None:
    train, test = run("scale", divisor)
    inputs = np.concatenate([train.ravel(), test.ravel()])
    pixels = np.concatenate([TRAIN.ravel(), TEST.ravel()])
    assert np.isfinite(inputs).all()
    assert ((inputs != 0) == (pixels != 0)).all()


def test_scale_defaults_to_255() -> None:
    train, _ = run("scale")
    assert train[0, 0, 2] == 1.0
    assert train[0, 0, 0] == 0.0


def test_center_maps_0_255_to_minus_1_plus_1() -> None:
    train, test = run("center")
    np.testing.assert_allclose(train[0, 0], [-1.0, 7 / 127.5 - 1, 1.0], rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        test[0, 0], [50 / 127.5 - 1, 7 / 127.5 - 1, 155 / 127.5 - 1], atol=1e-7
    )


def test_minmax_uses_the_training_sets_range() -> None:
    train, test = run("minmax")
    np.testing.assert_array_equal(train[0, 0], np.array([0, 7 / 255, 1], dtype=np.float32))
    np.testing.assert_allclose(test[0, 0], [50 / 255, 7 / 255, 155 / 255], rtol=1e-6)


def test_standardize_uses_global_training_mean_and_std() -> None:
    train, test = run("standardize")
    pixels = TRAIN.astype(np.float64)
    mean, std = pixels.mean(), pixels.std()
    np.testing.assert_allclose(train, (pixels - mean) / std, rtol=1e-6)
    np.testing.assert_allclose(test, (TEST - mean) / std, rtol=1e-6)
    assert abs(float(train.mean())) < 1e-6
    assert float(train.std()) == pytest.approx(1.0, rel=1e-6)


def test_standardize_per_pixel_fits_each_pixel_and_zeroes_constant_ones() -> None:
    train, test = run("standardize_per_pixel")
    # pixel 0: mean 50, std 50; pixel 1: constant 7 -> 0; pixel 2: mean 155, std 100
    np.testing.assert_array_equal(
        train[:, 0, :], np.array([[-1, 0, 1], [1, 0, -1]], dtype=np.float32)
    )
    np.testing.assert_array_equal(test[0, 0], np.array([0, 0, 0], dtype=np.float32))
    assert not np.isnan(train).any()


def test_statistics_come_from_the_training_set_only() -> None:
    _, test_a = preprocess(PreprocessingSpec(method="minmax"), TRAIN, TEST)
    _, test_b = preprocess(PreprocessingSpec(method="minmax"), TRAIN, TEST * 0 + 255)
    assert test_a[0, 0, 0] == pytest.approx(50 / 255)
    assert test_b[0, 0, 0] == 1.0


@pytest.mark.parametrize("method", get_args(PreprocessingMethod))
def test_outputs_start_on_the_boundary_tensorflow_shares(method: str) -> None:
    for images in run(method):
        assert images.ctypes.data % ALIGNMENT == 0
        assert images.flags.c_contiguous
        assert images.flags.writeable
