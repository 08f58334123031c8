#!/usr/bin/env bash
# Shared by fmnist-mlp-hessian-free.sh and fmnist-mlp-kfac.sh: trains fmnist_mlp with a second-order method
# until it reaches the target test accuracy (or runs out of epochs), then, back to back on the same machine,
# Adam (lr 0.001, batch 128) for two epochs, and prints the seconds per epoch of both (training plus the
# end-of-epoch evaluation, from metrics.csv) and their ratio. Usage: second-order-vs-adam.sh NAME OUT ARGS...
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 out=$2; shift 2
target=0.87
# Run from a private copy of the build, so rebuilding the tree meanwhile cannot touch the running program.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release src/Descent.Cli > /dev/null || { echo "build failed: run dotnet build -c Release src/Descent.Cli"; exit 1; }
cp -r src/Descent.Cli/bin/Release/net10.0/. "$bin"
cli="dotnet $bin/Descent.Cli.dll"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
$cli train --problem fmnist_mlp --seed 0 --out "$out/$name" --overwrite "$@"
$cli train --problem fmnist_mlp --optimizer adam --set lr=0.001 --batch-size 128 --epochs 2 --seed 0 --out "$out/adam" --overwrite
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs"
column -s, -t < "$out/$name/metrics.csv"
per_epoch() { awk -F, 'NR > 1 { s = $9 - prev; prev = $9; sum += s; n++ } END { printf "%.1f", sum / n }' "$1/metrics.csv"; }
m=$(per_epoch "$out/$name") a=$(per_epoch "$out/adam")
awk -F, -v t=$target -v name="$name" 'NR > 1 && $7 > best { best = $7; epoch = $1 } END { printf "%s: best test_accuracy %.4f at epoch %d (target ≥ %.2f): %s\n", name, best, epoch, t, (best >= t ? "PASS" : "FAIL") }' "$out/$name/metrics.csv"
echo "seconds per epoch: $name $m, adam $a, ratio $(awk -v m=$m -v a=$a 'BEGIN { printf "%.2f", m / a }')"
