#!/usr/bin/env bash
# Make sure Fashion-MNIST's four IDX files are on disk; nothing is downloaded at run time.
set -euo pipefail
dir=${NORMLAB_DATASET_DIR:-/usr/share/datasets/fashion-mnist}
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
have_all() { for f in "${files[@]}"; do [ -f "$1/$f" ] || return 1; done; }
have_all "$dir" && exit 0
[ -z "${NORMLAB_DATASET_DIR:-}" ] && have_all "$HOME/.keras/datasets/fashion-mnist" && exit 0
if [ -n "${NORMLAB_DATASET_DIR:-}" ]; then
  echo "error: NORMLAB_DATASET_DIR=$dir does not hold the four Fashion-MNIST files: ${files[*]}" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Fashion-MNIST with apt (package dataset-fashion-mnist)" >&2
  apt-get install -y dataset-fashion-mnist >&2 || { apt-get update >&2 && apt-get install -y dataset-fashion-mnist >&2; }
else
  echo "error: Fashion-MNIST is missing; run: sudo apt-get install -y dataset-fashion-mnist" >&2
  exit 1
fi
