#!/usr/bin/env bash
# Issue acceptance for the curvature analysis (issue 8): the constructed spectrum of quadratic_deep, Lanczos
# against the dense eigen-decomposition and Hutchinson against the exact trace on a 2,549-parameter MLP, the
# top Hessian eigenvalue of fmnist_mlp on 1,000 examples by Lanczos and by power iteration at the same
# relative residual (1e-3) at initialization and after two SGD epochs, and the spectrum change (figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/acceptance/curvature}
descent() { dotnet run -c Release --project src/Descent.Cli -- "$@"; }

echo "== quadratic_deep: top-10 and bottom-10 eigenvalues, trace, classification"
descent hessian --problem quadratic_deep --top 10 --bottom 10 --tol 1e-8 --trace --classify --out "$out/quadratic"

echo "== small MLP: Lanczos vs dense, Hutchinson vs exact trace"
dotnet run -c Release --project bench/Descent.Bench -- curvature

echo "== fmnist_mlp at initialization: top eigenvalue on 1,000 examples, Lanczos vs power iteration"
descent hessian --problem fmnist_mlp --samples 1000 --top 1 --tol 1e-3 --power --out "$out/mlp-init"

echo "== fmnist_mlp after two SGD epochs"
descent train --problem fmnist_mlp --optimizer sgd --set lr=0.1 --epochs 2 --seed 0 --out "$out/mlp-sgd" --overwrite
descent hessian --problem fmnist_mlp --checkpoint "$out/mlp-sgd/model.safetensors" --samples 1000 --top 1 --tol 1e-3 --power --out "$out/mlp-trained"

echo "== spectrum change: init and trained in one figure"
descent hessian --problem fmnist_mlp --checkpoint init --checkpoint "$out/mlp-sgd/model.safetensors" --samples 1000 --top 10 --density --out "$out/change"
echo "figures: $out/change/spectrum.svg $out/change/density.svg"
