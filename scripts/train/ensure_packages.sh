#!/usr/bin/env bash
# Installs the Debian packages the training and export scripts of scripts/train/ need, only
# those missing (through scripts/ensure_packages.sh). The C++ build and test suite do not need
# them; the core tests only use the data set package when it is installed.
set -euo pipefail
exec bash "$(dirname "$0")/../ensure_packages.sh" \
  python3-torch python3-torchvision python3-onnx python3-numpy dataset-fashion-mnist
