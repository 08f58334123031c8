#!/usr/bin/env bash
# Kill test (issue 12): SIGKILL a `descent train` that checkpoints after every step, at a random moment,
# N times (default 100), and check each time that the run directory still holds a checkpoint that loads
# and verifies its CRC-32 checksums (and that checkpoint-prev, when present, does too). Prints one line
# per kill and ends with "K/N verifiable". The kills are made by the test
# Descent.Tests.Cli.CheckpointKillTests (which CI runs with 3 kills).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
log=$(mktemp)
DESCENT_KILLS=$kills dotnet test tests/Descent.Tests -c Release --filter "FullyQualifiedName~CheckpointKillTests" \
  --logger "console;verbosity=detailed" > "$log" 2>&1 || true
grep -E '^ kill [0-9]+: ' "$log" | sed 's/^ //' || true
summary=$(grep -E "^ [0-9]+/$kills verifiable" "$log" | sed 's/^ //' || true)
if [ -z "$summary" ]; then
  cat "$log"
  echo "0/$kills verifiable (the test did not report; output above)"
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "$summary"
case "$summary" in "$kills/$kills verifiable"*) exit 0 ;; *) exit 1 ;; esac
