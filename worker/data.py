"""Fashion-MNIST from its four IDX files on disk, checked; nothing is ever downloaded."""

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_CACHE_DIR = Path.home() / ".keras" / "datasets" / "fashion-mnist"
INSTALL_HINT = (
    "install Debian's package with `apt-get install -y dataset-fashion-mnist` (it puts the files "
    f"in {DEBIAN_DIR}), or set NORMLAB_DATASET_DIR to a directory that holds them"
)


@dataclass(frozen=True)
class IdxFile:
    """One of the four files: its name, the SHA-256 of its decompressed bytes, its shape."""

    name: str
    sha256: str
    shape: tuple[int, ...]


# Checksums are of the decompressed IDX bytes: Debian recompressed the .gz files, so their
# own checksums differ from Zalando's while the content is the same.
TRAIN_IMAGES = IdxFile(
    "train-images-idx3-ubyte.gz",
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    (60000, 28, 28),
)
TRAIN_LABELS = IdxFile(
    "train-labels-idx1-ubyte.gz",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    (60000,),
)
TEST_IMAGES = IdxFile(
    "t10k-images-idx3-ubyte.gz",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    (10000, 28, 28),
)
TEST_LABELS = IdxFile(
    "t10k-labels-idx1-ubyte.gz",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    (10000,),
)
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

Images = npt.NDArray[np.uint8]
Labels = npt.NDArray[np.uint8]


class DatasetError(RuntimeError):
    """The dataset is missing or its files are not the expected ones."""


@dataclass(frozen=True)
class FashionMnist:
    """The four arrays: uint8 images (n, 28, 28) and labels 0-9."""

    x_train: Images
    y_train: Labels
    x_test: Images
    y_test: Labels


def candidate_dirs(configured: Path | None) -> list[Path]:
    """Where to look, in order: the configured directory, else Debian's, then Keras' cache."""
    return [configured] if configured is not None else [DEBIAN_DIR, KERAS_CACHE_DIR]


def find_dataset_dir(configured: Path | None = None) -> Path:
    """Return the first candidate directory that holds all four files."""
    dirs = candidate_dirs(configured)
    for directory in dirs:
        if all((directory / spec.name).is_file() for spec in FILES):
            return directory
    looked = ", ".join(str(directory) for directory in dirs)
    raise DatasetError(f"Fashion-MNIST not found (looked in {looked}); {INSTALL_HINT}")


def read_idx(path: Path, spec: IdxFile) -> npt.NDArray[np.uint8]:
    """Read one gzipped IDX file of unsigned bytes, checking its checksum, header and shape."""
    raw = gzip.decompress(path.read_bytes())
    if hashlib.sha256(raw).hexdigest() != spec.sha256:
        raise DatasetError(f"{path}: checksum mismatch, not the Fashion-MNIST file; {INSTALL_HINT}")
    zero, dtype_code, ndim = raw[0:2], raw[2], raw[3]
    if zero != b"\x00\x00" or dtype_code != 0x08 or ndim != len(spec.shape):
        raise DatasetError(f"{path}: not an IDX file of unsigned bytes with {len(spec.shape)} dims")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if shape != spec.shape:
        raise DatasetError(f"{path}: shape {shape}, expected {spec.shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(configured: Path | None = None) -> FashionMnist:
    """Load and check the 60,000 training and 10,000 test images and their labels."""
    directory = find_dataset_dir(configured)
    arrays = [read_idx(directory / spec.name, spec) for spec in FILES]
    for labels in (arrays[1], arrays[3]):
        if labels.max() > 9:
            raise DatasetError(f"{directory}: labels outside 0-9")
    return FashionMnist(*arrays)
