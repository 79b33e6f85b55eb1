#!/usr/bin/env bash
# `make bench`: starts the Release host (production settings, request logging on) over a fresh database
# with the demo data, signs in as the demo holder and measures with wrk on the same machine:
#   the full home page, one box partial, /health/db (one `select 1`) — requests/s, p50, p99 — and home ÷ health.
# Writes bench/results/latest.md. Bounded: each run is $DURATION seconds against 127.0.0.1 only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${BENCH_PORT:-5099}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
eval "$(scripts/services.sh env)"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "bench: port $PORT is in use; stop that program or set BENCH_PORT" >&2; exit 1; fi
# The bench signs with tokens of its own, made empty for each run and deleted after it: its CA, OCSP, TSA and 64 holders'
# keys never pile up in the development token, and every run searches a token of the same size.
BENCH_TOKENS=(mysign-bench mysign-bench-root)
bench_tokens() { # delete | init
  local token pin
  for token in "${BENCH_TOKENS[@]}"; do
    flock --timeout 60 "$Hsm__LockFile" softhsm2-util --delete-token --token "$token" >/dev/null 2>&1 || true
    [ "$1" = init ] || continue
    pin=$(openssl rand -hex 8)
    flock --timeout 60 "$Hsm__LockFile" softhsm2-util --init-token --free --label "$token" --so-pin "$(openssl rand -hex 16)" --pin "$pin" >/dev/null
    # Exactly one token has the label (a deletion that failed would leave two, and the app would refuse to choose).
    [ "$(softhsm2-util --show-slots 2>/dev/null | grep -cE "Label:[[:space:]]+$token[[:space:]]*$")" = 1 ] || { echo "bench: more than one SoftHSM2 token is labelled $token; remove them with softhsm2-util --delete-token" >&2; exit 1; }
    if [ "$token" = mysign-bench ]; then export Hsm__TokenLabel=$token Hsm__Pin=$pin; else export Hsm__Root__TokenLabel=$token Hsm__Root__Pin=$pin; fi
  done
}
trap 'bench_tokens delete' EXIT
bench_tokens init
DB=mysign_bench
psql "host=127.0.0.1 port=${PG_PORT:-55432} user=mysign dbname=postgres" -qc "drop database if exists $DB with (force)" -c "create database $DB" >/dev/null
APP_LOG=$(mktemp)
export ASPNETCORE_ENVIRONMENT=Production Otp__Pepper=bench-only-pepper Certificates__KeySecret=bench-only-key-secret ConnectionStrings__Postgres="Host=127.0.0.1;Port=${PG_PORT:-55432};Database=$DB;Username=mysign;Maximum Pool Size=100"
# Production refuses the sandbox payment provider: the bench never pays, so the hosted adapter points nowhere.
export Portal__BaseUrl=http://127.0.0.1:${PORT:-5000} Billing__Payments__Provider=hosted Billing__Payments__Url=http://127.0.0.1:9/ Billing__Payments__ApiKey=bench-only-api-key Billing__Payments__WebhookSecret=bench-only-webhook-secret
# Production also names the account transfers go to, the seller on invoices and the PEC channel to SdI (pointing nowhere: the bench sends no invoice but the demo's).
export Billing__Payments__Iban=IT60X0542811101000000123456 Billing__Payments__Beneficiary="MySign S.p.A." Billing__Payments__Bic=BLOPIT22XXX \
  Billing__Seller__VatNumber=01234567897 Billing__Seller__FiscalCode=01234567897 Billing__Seller__Name="MySign S.p.A." Billing__Seller__Street="Via della Firma 1" \
  Billing__Seller__PostCode=00187 Billing__Seller__City=Roma Billing__Seller__Province=RM Billing__Seller__RegimeFiscale=RF01 Billing__Seller__Rea__Office=RM \
  Billing__Seller__Rea__Number=1234567 Billing__Sdi__Channel=pec Billing__Sdi__Pec__Host=127.0.0.1 Billing__Sdi__Pec__Port=9 Billing__Sdi__Pec__User=bench \
  Billing__Sdi__Pec__Password=bench-only-pec-password Billing__Sdi__Pec__From=fatture@pec.mysign.example Billing__Sdi__WebhookToken=bench-only-sdi-token
# The production release step (fly.toml's release_command) applies the schema, then the app starts; with the demo seed on, as the
# bench runs, it also creates the demo marker's table (src/MySign.Dev registers it only then).
Demo__Seed=true dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll resources setup --contentRoot "$ROOT/src/MySign.Web" >"$APP_LOG" 2>&1
# Production's keys live in the HSM (services.sh's SoftHSM2 tokens, Hsm__* from services.sh env): the operator's CA ceremony
# makes the root in its own token and the issuing CA in the online one before the first start, as a deployment does.
dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll ca-ceremony --contentRoot "$ROOT/src/MySign.Web" >>"$APP_LOG" 2>&1 || { cat "$APP_LOG"; exit 1; }
# The per-IP sign-in limit would stop the login benchmark (one client address); it is raised here only.
ASPNETCORE_URLS=http://127.0.0.1:$PORT Demo__Seed=true Demo__BenchHolders=64 Sessions__SecureCookies=false RateLimits__LoginPerWindow=100000000 \
  dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll --contentRoot "$ROOT/src/MySign.Web" >"$APP_LOG" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true; bench_tokens delete; rm -f "$APP_LOG" "$JAR"' EXIT
JAR=$(mktemp)
for _ in $(seq 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$APP_LOG"; exit 1; }

# Sign in as a browser would.
token=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "__RequestVerificationToken=$token" \
  --data-urlencode "user_id=m235477" --data-urlencode "password=Demo-Holder-2026" "http://127.0.0.1:$PORT/login"
# Both cookies the signed-in browser holds: the session and the antiforgery cookie.
cookie="$(awk '$6=="mysign"{print "mysign="$7}' "$JAR"); $(awk '$6=="mysign-af"{print "mysign-af="$7}' "$JAR")"
[[ "$cookie" == mysign=?*\;\ mysign-af=?* ]] || { echo "bench: could not sign in" >&2; exit 1; }
# Read the whole page first: `curl | grep -q` fails under pipefail when grep stops reading before curl ends.
home_page=$(curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$PORT/") && grep -q 'holder-name' <<<"$home_page" \
  || { echo "bench: home page not served" >&2; exit 1; }

run() { # path, extra header -> "rps|p50|p99|non2xx"
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $cookie" ${2:+-H "$2"} "http://127.0.0.1:$PORT$1")
  echo "$(echo "$out" | awk '/Requests\/sec/{print $2}')|$(echo "$out" | awk '$1=="50%"{print $2}')|$(echo "$out" | awk '$1=="99%"{print $2}')|$(echo "$out" | awk '/Non-2xx/{print $NF}')"
}
ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else printf "%.2f", v*1000 }'; }
# Two rounds of home, box, health back to back, so the ratio compares runs made under the same conditions
# (this machine's speed drifts over minutes); each row gives the mean requests/s and the worse latencies.
measure2() { # name, path, extra header, first round's result
  local a b; a=$4; b=$(run "$2" "$3")
  awk -v n="$1" -v p="$2" -v a="$a" -v b="$b" 'BEGIN{split(a,x,"|"); split(b,y,"|");
    printf "%s|%s|%.2f|%s|%s|%d\n", n, p, (x[1]+y[1])/2, x[2], x[3], x[4]+y[4]}' | { IFS='|' read -r n p r _ _ e
    p50=$(printf '%s\n%s\n' "$(ms "$(echo "$a" | cut -d'|' -f2)")" "$(ms "$(echo "$b" | cut -d'|' -f2)")" | sort -g | tail -1)
    p99=$(printf '%s\n%s\n' "$(ms "$(echo "$a" | cut -d'|' -f3)")" "$(ms "$(echo "$b" | cut -d'|' -f3)")" | sort -g | tail -1)
    echo "$n|$p|$r|${p50}ms|${p99}ms|$e"; }
}
# Warm up every path until the JIT's tiered compilation has settled (about half a minute of load), with the
# pools and prepared statements, and let start-up work (Wolverine's node agents, the first CRL) finish.
for path in / /portal/boxes/certificate /health/db /; do wrk -t2 -c"$CONNECTIONS" -d15s -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path" >/dev/null; done
# An OCSP request for the demo holder's certificate, as openssl writes it (GET form, RFC 6960 A.1: base64, URL-encoded).
TRUST=$(mktemp -d)
curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$PORT/certificate/download/pem" >"$TRUST/holder.pem"
curl -fs "http://127.0.0.1:$PORT/ca/issuing.pem" >"$TRUST/issuing.pem"
openssl ocsp -issuer "$TRUST/issuing.pem" -cert "$TRUST/holder.pem" -no_nonce -reqout "$TRUST/req.der" >/dev/null
ocsp="/ocsp/$(base64 -w0 "$TRUST/req.der" | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g')"
wrk -t2 -c"$CONNECTIONS" -d15s "http://127.0.0.1:$PORT$ocsp" >/dev/null  # warm-up
home1=$(run /); box1=$(run /portal/boxes/certificate "HX-Request: true"); health1=$(run /health/db); ocsp1=$(run "$ocsp")
rows=()
rows+=("$(measure2 "home page (full, 6 boxes + badge + counters)" "/" "" "$home1")")
rows+=("$(measure2 "one box partial (htmx)" "/portal/boxes/certificate" "HX-Request: true" "$box1")")
rows+=("$(measure2 "health (select 1)" "/health/db" "" "$health1")")
rows+=("$(measure2 "OCSP, the holder's certificate (no nonce: status read live, answer pre-produced)" "$ocsp" "" "$ocsp1" | awk -F'|' -v OFS='|' '{$2="/ocsp/{request} (GET)"; print}')")
# RFC 3161 time-stamps: a SHA-256 query with certReq, posted as application/timestamp-query.
openssl ts -query -digest "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" -sha256 -cert -out "$TRUST/q.tsq" 2>/dev/null
TSA_LUA=$(mktemp --suffix=.lua)
cat > "$TSA_LUA" <<LUA
local f = io.open("$TRUST/q.tsq", "rb"); local body = f:read("*all"); f:close()
request = function() return wrk.format("POST", "/tsa", { ["Content-Type"] = "application/timestamp-query" }, body) end
LUA
tsa=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$TSA_LUA" "http://127.0.0.1:$PORT/tsa")
rows+=("RFC 3161 time-stamp tokens (SHA-256, certReq)|/tsa (POST)|$(echo "$tsa" | awk '/Requests\/sec/{print $2}')|$(echo "$tsa" | awk '$1=="50%"{print $2}')|$(echo "$tsa" | awk '$1=="99%"{print $2}')|$(echo "$tsa" | awk '/Non-2xx/{print $NF}')")
rm -rf "$TRUST" "$TSA_LUA"
# Successful sign-ins (Argon2id at production cost, a new session each) with a browser's antiforgery pair.
af=$(awk '$6=="mysign-af"{print "mysign-af="$7}' "$JAR")
LUA=$(mktemp --suffix=.lua)
cat > "$LUA" <<LUA
-- a different holder each time (64 seeded), as real sign-ins are
counter = math.random(0, 63)
request = function()
  counter = counter + 1
  local body = "__RequestVerificationToken=$token&user_id=" .. string.format("b%06d", counter % 64) .. "&password=Demo-Holder-2026"
  return wrk.format("POST", "/login", { ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "$af" }, body)
end
LUA
login=$(wrk -t2 -c8 -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/login")
rm -f "$LUA"
rows+=("sign-in, 64 holders (Argon2id m=19 MiB t=3, new session)|/login (POST)|$(echo "$login" | awk '/Requests\/sec/{print $2}')|$(echo "$login" | awk '$1=="50%"{print $2}')|$(echo "$login" | awk '$1=="99%"{print $2}')|$(echo "$login" | awk '/Non-2xx/{print $NF}')")
# CSC signHash with an automatic-signature credential: 100 hashes per call, 8 connections on one SAD, as a back office
# signs a batch; openssl's own ECDSA P-256 signing speed (one core) is measured right after, in the same run.
read -r csc_token csc_credential csc_sad < <(dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll csc-bench b000063 --contentRoot "$ROOT/src/MySign.Web" 2>/dev/null | tail -n 1)
[[ -n "${csc_sad:-}" ]] || { echo "bench: csc-bench did not prepare a SAD" >&2; exit 1; }
CSC_LUA=$(mktemp --suffix=.lua)
hashes=$(for _ in $(seq 100); do printf '"%s",' "$(head -c 32 /dev/urandom | base64 -w0)"; done)
cat > "$CSC_LUA" <<LUA
local body = '{"credentialID":"$csc_credential","SAD":"$csc_sad","hashes":[${hashes%,}],"hashAlgorithmOID":"2.16.840.1.101.3.4.2.1","signAlgo":"1.2.840.10045.4.3.2"}'
request = function() return wrk.format("POST", "/csc/v2/signatures/signHash", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $csc_token" }, body) end
LUA
wrk -t2 -c8 -d10s -s "$CSC_LUA" "http://127.0.0.1:$PORT/csc/v2/signatures/signHash" >/dev/null  # warm-up
csc=$(wrk -t2 -c8 -d"${DURATION}s" --latency -s "$CSC_LUA" "http://127.0.0.1:$PORT/csc/v2/signatures/signHash")
rm -f "$CSC_LUA"
csc_calls=$(echo "$csc" | awk '/Requests\/sec/{print $2}')
rows+=("CSC signHash, automatic credential, 100 hashes per call (8 connections)|/csc/v2/signatures/signHash (POST)|$csc_calls|$(echo "$csc" | awk '$1=="50%"{print $2}')|$(echo "$csc" | awk '$1=="99%"{print $2}')|$(echo "$csc" | awk '/Non-2xx/{print $NF}')")
openssl_signs=$(openssl speed -seconds 10 ecdsap256 2>/dev/null | awk '/nistp256/{v=$(NF-1)} END{print v}')
csc_signs=$(awk -v c="$csc_calls" 'BEGIN{printf "%.0f", c*100}')
csc_ratio=$(awk -v a="$csc_signs" -v b="$openssl_signs" 'BEGIN{printf "%.0f", 100*a/b}')
home=$(echo "${rows[0]}" | cut -d'|' -f3); health=$(echo "${rows[2]}" | cut -d'|' -f3); ocsp_rps=$(echo "${rows[3]}" | cut -d'|' -f3)
ratio=$(awk -v a="$home" -v b="$health" 'BEGIN{printf "%.0f", 100*a/b}')
ocsp_ratio=$(awk -v a="$ocsp_rps" -v b="$health" 'BEGIN{printf "%.0f", 100*a/b}')

# A holder with 1,000,000 signatures (2 years): the first history page for one month, a CSV export of
# ~100,000 rows (73 days), and the home page again, whose counters must cost the same as before.
dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll history-seed m235477 --count 1000000 --contentRoot "$ROOT/src/MySign.Web" >/dev/null 2>&1
month_from=$(date -u -d '-30 days' +%F); today=$(date -u +%F); export_from=$(date -u -d '-72 days' +%F)
history="/history?from=$month_from&to=$today"
wrk -t2 -c"$CONNECTIONS" -d15s -H "Cookie: $cookie" "http://127.0.0.1:$PORT$history" >/dev/null  # warm-up, as above
history1=$(run "$history"); again1=$(run /)
rows+=("$(measure2 "history, 1M records: first page, one month" "$history" "" "$history1")")
rows+=("$(measure2 "home page again, 1M records in the history" "/" "" "$again1")")
csv_start=$(date +%s.%N)
csv_rows=$(curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$PORT/history.csv?from=$export_from&to=$today" | wc -l)
csv_seconds=$(awk -v a="$csv_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
app_rss=$(ps -o rss= -p $APP | awk '{printf "%.0f", $1/1024}')
kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true
# OTP issue/verify throughput through the Otp module's messages (no HTTP), each a database round trip.
otp=$(dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll otp-bench --contentRoot "$ROOT/src/MySign.Web" 2>/dev/null | grep '^otp ')
# Sign a document through the signature activation module: PIN (Argon2id) + OTP, unwrap and sign in the token, CAdES with a
# time-stamp; 64 holders, 4 at once, in-process (an OTP is single use, so wrk cannot replay the portal's form).
sign=$(dotnet src/MySign.Web/bin/Release/net10.0/MySign.Web.dll sign-bench --contentRoot "$ROOT/src/MySign.Web" 2>/dev/null | grep '^sign a document')
tsa_rps=$(echo "${rows[4]}" | cut -d'|' -f3)

mkdir -p bench/results
{
  echo "# Benchmark — $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m)), wrk -t2 -c$CONNECTIONS -d${DURATION}s, app and wrk on the same machine"
  echo
  echo "Each page row: two ${DURATION}-second runs after a warm-up, mean requests/s and the worse p50/p99 of the two."
  echo
  echo "| what | path | requests/s | p50 | p99 | non-2xx |"
  echo "|---|---|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do IFS='|' read -r n p a b c d <<<"$r"; echo "| $n | \`$p\` | $a | $b | $c | $d |"; done
  echo
  echo "Home page ÷ health: **${ratio} %** (target ≥ 40 %, p99 < 50 ms). Sign-ins: target ≥ 30/s (8 connections)."
  echo "Every key signs in the HSM (SoftHSM2 here, over PKCS#11): the OCSP responder's, the TSA's and the holders'."
  echo "OCSP ÷ health: **${ocsp_ratio} %** (target ≥ 35 %, p99 < 50 ms). Time-stamps: **${tsa_rps}/s** (target ≥ 1,000/s)."
  echo
  echo "CSC signHash: **${csc_signs} signatures/s**, which is **${csc_ratio} %** of \`openssl speed ecdsap256\` on this machine in the same run (${openssl_signs} sign/s, one core); target ≥ 25 %, p99 per call < 100 ms."
  echo
  echo "Sign a document (PIN + OTP through the signature activation module, the key unwrapped and used in the token, CAdES B-T):"
  echo
  echo "$sign" | sed 's/^/    /'
  echo
  echo "CSV export of $((csv_rows - 1)) rows (73 days of the 1M-record history): ${csv_seconds} s, streamed (app resident memory afterwards: ${app_rss} MiB; target < 5 s)."
  echo
  echo "OTP through the Otp module's messages, 16 parallel callers (target ≥ 1,000 verifications/s):"
  echo
  echo "$otp" | sed 's/^/    /'
} | tee bench/results/latest.md
