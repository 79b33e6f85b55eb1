#!/usr/bin/env bash
# Shakes the suite: runs a set of tests ROUNDS times while the CPUs are kept busy by stress-ng, so a test that
# depends on which request the scheduler runs first fails here instead of in CI. Run it before a stop.
#   scripts/shake.sh [concurrency|browser|all] [ROUNDS]
#   concurrency  every test marked [Trait("Shake", "concurrency")]: parallel bursts, two nodes, races (default)
#   browser      the Chromium stories (tests/MySign.Tests/Browser)
#   all          the whole suite
# Expects `make build` and `scripts/services.sh up` done (make shake does both). Prints one line per round and a
# closing "Shake: ..." line naming every test that failed in any round; exits 1 if one did.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
set_name=${1:-concurrency}
rounds=${2:-20}
case "$set_name" in
  concurrency) filter='Shake=concurrency' ;;
  browser) filter='FullyQualifiedName~MySign.Tests.Browser' ;;
  all) filter='' ;;
  *) echo "usage: $0 [concurrency|browser|all] [ROUNDS]" >&2; exit 2 ;;
esac
# Load: each core kept about 60 % busy by stress-ng (as CI's machine is when other jobs run), for as long as we run.
load=${SHAKE_LOAD:-60}
stress-ng --cpu 0 --cpu-load "$load" --quiet &
stress=$!
trap 'kill $stress 2>/dev/null || true; wait $stress 2>/dev/null || true' EXIT

eval "$(scripts/services.sh env)"
results=$ROOT/TestResults/shake
rm -rf "$results"
mkdir -p "$results"
declare -A failures=()
failed_rounds=0
for round in $(seq 1 "$rounds"); do
  out=$results/round-$round
  args=(test MySign.sln -c Release --no-build --logger "trx" --results-directory "$out")
  [ -n "$filter" ] && args+=(--filter "$filter")
  start=$(date +%s)
  export MYSIGN_LOGGED_ERRORS=$out/logged-errors
  dotnet "${args[@]}" >"$out.log" 2>&1 || true
  names=$(grep -ho 'testName="[^"]*" [^>]*outcome="Failed"' "$out"/*.trx 2>/dev/null | sed 's/testName="\([^"]*\)".*/\1/' || true)
  ok=1; report=$(scripts/test-summary.sh "$out" 2>&1) || ok=0
  summary=$(tail -n 1 <<<"$report")
  [ "$ok" = 1 ] || [ -n "$names" ] || names="(no failed test: $(head -n 1 <<<"$report"))"
  if [ -n "$names" ]; then
    failed_rounds=$((failed_rounds + 1))
    while IFS= read -r name; do [ -n "$name" ] && failures["$name"]=$(( ${failures["$name"]:-0} + 1 )); done <<<"$names"
  fi
  printf 'shake %s round %d/%d (%ss, load %s%%): %s\n' "$set_name" "$round" "$rounds" "$(( $(date +%s) - start ))" "$load" "$summary"
  [ -z "$names" ] || sed 's/^/  failed: /' <<<"$names"
done
echo "Shake: $set_name, $rounds rounds under load, $failed_rounds with a failure"
for name in "${!failures[@]}"; do printf '  %s: failed %d of %d\n' "$name" "${failures[$name]}" "$rounds"; done
[ "$failed_rounds" -eq 0 ]
