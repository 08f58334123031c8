#!/usr/bin/env bash
# Issue acceptance: fmnist_mlp with Adam (lr 0.001, batch 128) reaches ≥ 0.88 test accuracy in at most
# 10 epochs on the full Fashion-MNIST set. Prints the per-epoch metrics and the best test accuracy.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/acceptance/mlp-adam}
dotnet run -c Release --project src/Descent.Cli -- train --problem fmnist_mlp --optimizer adam --set lr=0.001 \
  --epochs 10 --batch-size 128 --seed 0 --out "$out" --overwrite
column -s, -t < "$out/metrics.csv"
awk -F, 'NR > 1 && $7 > best { best = $7; epoch = $1 } END { printf "best test_accuracy %.4f at epoch %d (target ≥ 0.88)\n", best, epoch }' "$out/metrics.csv"
