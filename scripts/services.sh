#!/usr/bin/env bash
# Provisions what MySign needs on a fresh Debian machine, privately and idempotently:
#   packages (PostgreSQL, aiosmtpd, poppler, Chromium, xmllint, wrk) if missing,
#   a private PostgreSQL cluster on 127.0.0.1:$PG_PORT, an SMTP catcher on 127.0.0.1:$SMTP_PORT,
#   SoftHSM2 tokens under $STATE/softhsm (the key custody token and the CA ceremony's root token, each with its own SO and
#   user PIN kept there, never in git), opensc's pkcs11-tool to look at them from outside,
#   and axe-core (npm) for the accessibility checks of the browser tests, oauth4webapi (npm) for the OAuth discovery test.
# Usage: scripts/services.sh up | down | env | packages [bench|shake]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${MYSIGN_STATE:-$ROOT/.local}
PG_PORT=${PG_PORT:-55432}
SMTP_PORT=${SMTP_PORT:-2525}
MAILDIR=$STATE/mail
SOFTHSM=$STATE/softhsm
SOFTHSM_LIBRARY=/usr/lib/softhsm/libsofthsm2.so
# The online token (CA, OCSP, TSA and the key that wraps holder keys) and the offline root's, used only by ca-ceremony.
TOKENS=(mysign mysign-root)
PG_HOME=$STATE/pg
# As root the server runs as the postgres user, which must be able to reach its directory; a
# checkout under a private home (e.g. /root) cannot be, so the cluster then lives under /var/tmp.
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  PG_HOME=/var/tmp/mysign-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
fi
PG_DATA=$PG_HOME/data

say() { printf 'mysign: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_db_user() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

packages() {
  local want=()
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || want+=(postgresql)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || want+=(python3-aiosmtpd)
  command -v pdftotext >/dev/null && command -v pdfsig >/dev/null || want+=(poppler-utils)
  # Independent judges of what the CA signs: qpdf (PDF structure), certutil (an NSS trust store for pdfsig).
  command -v qpdf >/dev/null || want+=(qpdf)
  command -v certutil >/dev/null || want+=(libnss3-tools)
  command -v chromium >/dev/null || want+=(chromium)
  command -v openssl >/dev/null || want+=(openssl)
  # Key custody: SoftHSM2 is the PKCS#11 token of development and tests; pkcs11-tool (opensc) inspects it from outside.
  [ -f "$SOFTHSM_LIBRARY" ] && command -v softhsm2-util >/dev/null || want+=(softhsm2)
  command -v pkcs11-tool >/dev/null || want+=(opensc)
  # A real load balancer in front of two nodes (BalancerTests), checking /health as fly.io's proxy does.
  command -v haproxy >/dev/null || want+=(haproxy)
  # The FatturaPA invoices are checked against the official XSD by an independent validator (xmllint --schema).
  command -v xmllint >/dev/null || want+=(libxml2-utils)
  if [ "${1:-}" = bench ]; then command -v wrk >/dev/null || want+=(wrk); fi
  if [ "${1:-}" = shake ]; then command -v stress-ng >/dev/null || want+=(stress-ng); fi
  [ ${#want[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${want[*]} (run as root, or: sudo apt-get install ${want[*]})"
  say "installing ${want[*]} (once)"
  # A postgresql install must not start Debian's own cluster on 5432: we run a private one.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/mysign.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

# axe-core (npm) for the browser tests' accessibility checks, fetched once into $STATE/axe.
AXE_VERSION=4.14.1
axe_core() {
  [ -f "$STATE/axe/axe.min.js" ] && return 0
  command -v npm >/dev/null || die "npm is needed to fetch axe-core for the accessibility tests"
  mkdir -p "$STATE/axe"
  (cd "$STATE/axe" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar -xzf "axe-core-$AXE_VERSION.tgz" package/axe.min.js \
    && mv package/axe.min.js axe.min.js && rm -rf package "axe-core-$AXE_VERSION.tgz")
}

# oauth4webapi (npm), an OAuth 2.0 client nobody here wrote: the discovery test configures it from our RFC 8414 metadata.
OAUTH4WEBAPI_VERSION=3.8.8
oauth4webapi() {
  [ -f "$STATE/oauth4webapi/index.js" ] && return 0
  command -v npm >/dev/null || die "npm is needed to fetch oauth4webapi for the OAuth discovery test"
  mkdir -p "$STATE/oauth4webapi"
  (cd "$STATE/oauth4webapi" && npm pack --silent "oauth4webapi@$OAUTH4WEBAPI_VERSION" >/dev/null \
    && tar -xzf "oauth4webapi-$OAUTH4WEBAPI_VERSION.tgz" package/build/index.js && mv package/build/index.js index.js \
    && rm -rf package "oauth4webapi-$OAUTH4WEBAPI_VERSION.tgz")
}

# A private SoftHSM2 token directory and config, and each token initialised once with a random SO PIN and user PIN kept
# beside it (mode 600). A token that exists without its PIN file cannot be used: say so rather than guess.
softhsm_up() {
  mkdir -p "$SOFTHSM/tokens"
  chmod 700 "$SOFTHSM"
  local conf=$SOFTHSM/softhsm2.conf
  if [ ! -f "$conf" ]; then
    printf '%s\n' "directories.tokendir = $SOFTHSM/tokens/" "objectstore.backend = file" "log.level = ERROR" \
      "slots.removable = false" "slots.mechanisms = ALL" "library.reset_on_fork = false" > "$conf"
  fi
  local token slots
  slots=$(SOFTHSM2_CONF=$conf softhsm2-util --show-slots 2>/dev/null || true)
  for token in "${TOKENS[@]}"; do
    if grep -Eq "Label: +$token *$" <<<"$slots"; then
      [ -s "$SOFTHSM/$token.pin" ] || die "the SoftHSM2 token $token exists but $SOFTHSM/$token.pin is missing; remove $SOFTHSM to start over"
      continue
    fi
    (umask 077; openssl rand -hex 16 > "$SOFTHSM/$token.so-pin"; openssl rand -hex 8 > "$SOFTHSM/$token.pin")
    SOFTHSM2_CONF=$conf softhsm2-util --init-token --free --label "$token" \
      --so-pin "$(cat "$SOFTHSM/$token.so-pin")" --pin "$(cat "$SOFTHSM/$token.pin")" >/dev/null \
      || die "could not initialise the SoftHSM2 token $token in $SOFTHSM"
    say "initialised the SoftHSM2 token $token in $SOFTHSM"
  done
}

postgres_up() {
  local bin; bin=$(pg_bin)
  mkdir -p "$PG_HOME"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_HOME"
    runuser -u postgres -- test -w "$PG_HOME" || die "the postgres user cannot use $PG_HOME; set MYSIGN_STATE to a directory it can reach"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $PG_DATA"
    as_db_user "$bin/initdb" -D "$PG_DATA" -U mysign --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_db_user "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is in use by another program; free it or set PG_PORT"
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    local pid; pid=$(head -n 1 "$PG_DATA/postmaster.pid")
    kill -0 "$pid" 2>/dev/null && die "the data directory $PG_DATA is in use by process $pid"
  fi
  as_db_user "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_HOME/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_HOME -c max_connections=300" start >/dev/null \
    || die "PostgreSQL did not start; see $PG_HOME/server.log"
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U mysign -d postgres -tAc "select 1 from pg_database where datname='mysign'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U mysign mysign
}

smtp_up() {
  mkdir -p "$MAILDIR"/{tmp,new,cur}
  local pidfile=$STATE/smtp.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  port_open "$SMTP_PORT" && die "port $SMTP_PORT is in use by another program; free it or set SMTP_PORT"
  nohup /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" \
    >"$STATE/smtp.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 50); do port_open "$SMTP_PORT" && return 0; sleep 0.1; done
  die "the SMTP catcher did not start; see $STATE/smtp.log"
}

case "${1:-up}" in
  packages) packages "${2:-}" ;;
  up) packages "${2:-}"; softhsm_up; postgres_up; smtp_up; axe_core; oauth4webapi ;;
  down)
    [ -f "$PG_DATA/PG_VERSION" ] && as_db_user "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
    [ -f "$STATE/smtp.pid" ] && kill "$(cat "$STATE/smtp.pid")" 2>/dev/null || true ;;
  env)
    echo "export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$PG_PORT;Database=mysign;Username=mysign'"
    echo "export Smtp__Host=127.0.0.1 Smtp__Port=$SMTP_PORT Smtp__Maildir='$MAILDIR'"
    echo "export MYSIGN_AXE='$STATE/axe/axe.min.js'"
    echo "export MYSIGN_OAUTH4WEBAPI='$STATE/oauth4webapi/index.js'"
    # Key custody (docs/adr/0015): the development token, named as Production names its HSM's; the root token only for ca-ceremony.
    echo "export SOFTHSM2_CONF='$SOFTHSM/softhsm2.conf' Hsm__Library='$SOFTHSM_LIBRARY' Hsm__TokenLabel=mysign Hsm__Pin='$(cat "$SOFTHSM/mysign.pin" 2>/dev/null)'"
    echo "export Hsm__Root__Library='$SOFTHSM_LIBRARY' Hsm__Root__TokenLabel=mysign-root Hsm__Root__Pin='$(cat "$SOFTHSM/mysign-root.pin" 2>/dev/null)'"
    # SoftHSM2's files tear when two processes log in at once: every process that opens the tokens holds this lock for it.
    echo "export Hsm__LockFile='$SOFTHSM/tokens.lock'" ;;
  *) die "usage: $0 up|down|env|packages" ;;
esac
