#!/usr/bin/env bash
# Issue acceptance: fmnist_2c2d with momentum reaches ≥ 0.91 test accuracy on the full Fashion-MNIST set.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/acceptance/2c2d-momentum}
dotnet run -c Release --project src/Descent.Cli -- train --problem fmnist_2c2d --optimizer momentum --set lr=${LR:-0.02} --set momentum=0.9 \
  --epochs ${EPOCHS:-10} --batch-size 128 --seed 0 --out "$out" --overwrite
column -s, -t < "$out/metrics.csv"
awk -F, 'NR > 1 && $7 > best { best = $7; epoch = $1 } END { printf "best test_accuracy %.4f at epoch %d (target ≥ 0.91)\n", best, epoch }' "$out/metrics.csv"
