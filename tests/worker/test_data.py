"""The loader on the real Fashion-MNIST files, and its refusals."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from worker.data import FILES, DatasetError, find_dataset_dir, load_fashion_mnist


def test_real_files_load_with_expected_shapes_and_balanced_labels(dataset_dir: Path) -> None:
    data = load_fashion_mnist(dataset_dir)
    assert data.x_train.shape == (60000, 28, 28)
    assert data.x_test.shape == (10000, 28, 28)
    assert data.x_train.dtype == np.uint8
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    assert data.x_train.max() == 255
    assert data.x_train.min() == 0


def test_missing_files_say_how_to_install_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="apt-get install -y dataset-fashion-mnist"):
        find_dataset_dir(tmp_path)


def test_a_file_with_other_content_fails_its_checksum(dataset_dir: Path, tmp_path: Path) -> None:
    for spec in FILES:
        shutil.copy(dataset_dir / spec.name, tmp_path / spec.name)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DatasetError, match="checksum mismatch"):
        load_fashion_mnist(tmp_path)


def test_recompressed_files_with_the_same_content_load(dataset_dir: Path, tmp_path: Path) -> None:
    for spec in FILES:
        content = gzip.decompress((dataset_dir / spec.name).read_bytes())
        (tmp_path / spec.name).write_bytes(gzip.compress(content, compresslevel=1))
    assert load_fashion_mnist(tmp_path).y_test.shape == (10000,)
