#!/usr/bin/env bash
# Long fuzz campaign (issue 12): runs the test suite's fuzz campaign (Descent.Tests.Fuzz.FuzzTests) with
# N mutants per target (default 1000) and a seed (default 12), and prints the outcome table of each group
# of targets and every unexpected outcome. CI runs the same campaign with a few hundred mutants per target.
#   scripts/fuzz.sh [MUTANTS_PER_TARGET] [SEED]
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
DESCENT_FUZZ=long DESCENT_FUZZ_MUTANTS=${1:-1000} DESCENT_FUZZ_SEED=${2:-12} \
  dotnet test tests/Descent.Tests -c Release --filter "FullyQualifiedName~Fuzz.FuzzTests" --logger "console;verbosity=detailed" > "$log" 2>&1
status=$?
# The tables and unexpected outcomes are the test's output lines (indented by one space).
grep -E '^ (target |[A-Za-z-]+.*[0-9]+ +[0-9]+ +[0-9]+|all |[0-9]+ mutants|[A-Za-z -]+: [A-Za-z]+: mutant)' "$log" | sed 's/^ //'
grep -E '^(Passed!|Failed!)' "$log"
rm -f "$log"
exit $status
