#!/usr/bin/env bash
# Issue acceptance: one epoch of plain SGD (lr 0.1, batch 128) on fmnist_mlp over several seeds, with the
# validation share held out (the default: 54,000 training images) and on all 60,000 (--val-fraction 0),
# next to PyTorch 1.13 with the same recipe and training-set size when /usr/bin/python3 has torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${SEEDS:-"0 1 2 3 4 5 6 7"}
stats() { tr ' ' '\n' | awk 'NF { s += $1; ss += $1 * $1; n++ } END { m = s / n; printf "mean %.4f, sd %.4f over %d seeds", m, sqrt(ss / n - m * m), n }'; }
dotnet build -c Release src/Descent.Cli > /dev/null
for frac in 0.1 0; do
  accs=""
  for s in $seeds; do
    out=runs/acceptance/mlp-sgd-$frac-$s
    dotnet run --no-build -c Release --project src/Descent.Cli -- train --problem fmnist_mlp --optimizer sgd --set lr=0.1 \
      --epochs 1 --batch-size 128 --seed "$s" --val-fraction "$frac" --out "$out" --overwrite > /dev/null
    accs="$accs $(grep -o '"test_accuracy": [0-9.]*' "$out/summary.json" | head -1 | awk '{print $2}')"
  done
  n=$([ "$frac" = 0 ] && echo 60000 || echo 54000)
  echo "Descent, $n images:$accs"
  echo "  $(echo $accs | stats)"
  if /usr/bin/python3 -c "import torch" 2> /dev/null; then
    torch=$(/usr/bin/python3 scripts/acceptance/torch_mlp_sgd.py "$n" $seeds)
    echo "PyTorch 1.13, $n images: $torch"
    echo "  $(echo $torch | stats)"
  fi
done
