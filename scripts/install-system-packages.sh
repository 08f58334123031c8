#!/usr/bin/env bash
# Installs the Debian packages Descent can use. None is needed to build or test: without them the
# bundled Fashion-MNIST sample is used and benchmarks say which references are missing.
#   dataset-fashion-mnist  the full Fashion-MNIST set in /usr/share/datasets/fashion-mnist
#   libopenblas0           OpenBLAS, the reference that bench/ compares the GEMM against
#   python3-torch          PyTorch 1.13, for bench/ comparisons and to regenerate reference trajectories
#   chromium               headless browser used to check the HTML reports render
#   openmpi-bin, libopenmpi-dev  Open MPI: mpirun and libmpi for data-parallel training (mpirun -np N descent train)
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dataset-fashion-mnist libopenblas0 python3-torch chromium openmpi-bin libopenmpi-dev
