#!/usr/bin/env bash
# Compares the training step of the working tree with that of another revision, in alternating runs.
#
#   scripts/bench-ab.sh REV [PROBLEM] [PAIRS]      e.g. scripts/bench-ab.sh HEAD~1 fmnist_mlp 6
#
# A shared machine's speed drifts by a third within the hour, so two `descent bench` runs minutes apart do not
# show a change of a few per cent. This builds REV in a temporary git worktree, then runs
# `descent bench --problems PROBLEM --no-peer --windows 5` PAIRS times for each build, alternating, and prints
# each side's medians and the median of the per-pair differences (working tree minus REV; negative is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: scripts/bench-ab.sh REV [PROBLEM] [PAIRS]}
problem=${2:-fmnist_mlp}
pairs=${3:-5}
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench-ab: unknown revision '$rev'" >&2; exit 2; }
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-ab: PAIRS must be a positive whole number, got '$pairs'" >&2; exit 2; }

base=$(mktemp -d)
trap 'git worktree remove --force "$base" >/dev/null 2>&1 || rm -rf "$base"' EXIT
git worktree add --detach --quiet "$base" "$rev"
echo "building $rev and the working tree ..."
dotnet build -c Release "$base/src/Descent.Cli" >/dev/null
dotnet build -c Release src/Descent.Cli >/dev/null
cli=src/Descent.Cli/bin/Release/net10.0/Descent.Cli.dll

results=$(mktemp)
for ((i = 1; i <= pairs; i++)); do
  for side in base work; do
    dir=.; [ "$side" = base ] && dir=$base
    line=$(dotnet "$dir/$cli" bench --problems "$problem" --no-peer --windows 5 | grep '^bench ')
    echo "$side $line" >> "$results"
    echo "pair $i $side: $(grep -oE 'step_ms=[^ ]+' <<< "$line")"
  done
done

python3 - "$results" "$rev" <<'PY'
import re, statistics as st, sys
rows = {"base": [], "work": []}
for line in open(sys.argv[1]):
    side = line.split()[0]
    rows[side].append({k: float(v) for k, v in re.findall(r"(\w+_ms|roofline_ratio)=([-\d.]+)", line)})
keys = ["step_ms", "forward_ms", "backward_ms", "optimizer_ms", "data_ms", "roofline_ratio"]
print(f"{'':14}" + "".join(f"{k:>15}" for k in keys))
for side, name in (("base", sys.argv[2]), ("work", "working tree")):
    print(f"{name[:14]:14}" + "".join(f"{st.median(r[k] for r in rows[side]):15.3f}" for k in keys))
diffs = [{k: w[k] - b[k] for k in keys} for b, w in zip(rows["base"], rows["work"])]
print(f"{'difference':14}" + "".join(f"{st.median(d[k] for d in diffs):+15.3f}" for k in keys))
faster = sum(d["step_ms"] < 0 for d in diffs)
print(f"the working tree's step was faster in {faster} of {len(diffs)} pairs (median of per-pair differences above)")
PY
