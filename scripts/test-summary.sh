#!/usr/bin/env bash
# Adds up the TRX results of every test assembly and prints one closing line, e.g.
#   Tests: 70 passed, 0 failed, 0 skipped
# A run that executed no test at all fails here, so it cannot pass unnoticed.
set -euo pipefail
dir=${1:-TestResults}
passed=0; failed=0; total=0
shopt -s nullglob
for trx in "$dir"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed))); total=$((total + $(get total)))
done
skipped=$((total - passed - failed))
echo "Tests: $passed passed, $failed failed, $skipped skipped"
[ "$total" -gt 0 ] || { echo "mysign: no test ran" >&2; exit 1; }
