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
# What the apps under test logged as an unhandled 500 (tests/MySign.Testing/LoggedErrors.cs): never acceptable.
logged=0
if [ -d "$dir/logged-errors" ]; then
  logged=$(cat "$dir"/logged-errors/*.log 2>/dev/null | wc -l)
  if [ "$logged" -gt 0 ]; then
    echo "mysign: $logged request(s) were logged as unhandled 500s during the suite (a bug, or a client error or outage logged as one):"
    cat "$dir"/logged-errors/*.log | head -n 40 | sed 's/^/  /'
  fi
fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
[ "$total" -gt 0 ] || { echo "mysign: no test ran" >&2; exit 1; }
[ "$logged" -eq 0 ]
