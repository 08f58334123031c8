#!/usr/bin/env bash
# Issue acceptance: K-FAC trains fmnist_mlp to ≥ 0.87 test accuracy on the full Fashion-MNIST set; prints
# its time per epoch against Adam's, measured back to back. Batch 500, factors every 5 steps, inverses every
# 20 (K-FAC's preconditioning costs a fixed amount per step, so it prefers larger batches than Adam).
set -euo pipefail
exec "$(dirname "$0")/second-order-vs-adam.sh" kfac "${1:-runs/acceptance/mlp-second-order}" \
  --optimizer kfac --set cov_every=5 --set inverse_every=20 --batch-size 500 --epochs ${EPOCHS:-3}
