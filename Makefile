# MySign: `make run` serves the portal, `make test` runs every test. Both provision what they need.
SHELL := /bin/bash
.ONESHELL:
.SILENT:
.SHELLFLAGS := -eu -o pipefail -c
PORT ?= 5000
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1
# The same GC gen0 budget as the Dockerfile (64 MiB per heap; only settable from the environment).
export DOTNET_GCgen0size := 0x4000000
WEB := src/MySign.Web

.PHONY: run test bench shake build restore codegen services stop clean

restore:
	build/nuget-shim/make-shim.sh
	dotnet restore MySign.sln --verbosity quiet

build: restore
	# One line for the stage; the compiler's output only when it fails (its summary is printed even when quiet).
	echo "mysign: building (Release)"
	log=$$(mktemp)
	dotnet build MySign.sln -c Release --no-restore --verbosity quiet -nologo -clp:ErrorsOnly >"$$log" 2>&1 || { cat "$$log"; rm -f "$$log"; exit 1; }
	rm -f "$$log"

services:
	scripts/services.sh up

## Starts the portal on http://localhost:$(PORT) against the private PostgreSQL and SMTP catcher.
run: build services
	if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then echo "mysign: port $(PORT) is already in use (another MySign?); set PORT=..." >&2; exit 1; fi
	eval "$$(scripts/services.sh env)"
	# localhost, not 127.0.0.1: the address mailed links carry and the only loopback name browsers accept for passkeys.
	export ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://localhost:$(PORT) ASPNETCORE_CONTENTROOT=$(CURDIR)/$(WEB) Sessions__SecureCookies=false
	# The demo's promotional codes, made with the operator command as a TSP would (kept from an earlier run).
	for promo in "WELCOME10 --percent 10" "FIVEOFF --amount 5"; do
	  dotnet $(WEB)/bin/Release/net10.0/MySign.Web.dll promo-add $$promo --until 2099-12-31 >/dev/null 2>&1 || true
	done
	echo "mysign: starting on http://localhost:$(PORT) — the outbox of sent mail and SMS: http://localhost:$(PORT)/dev/outbox"
	exec dotnet $(WEB)/bin/Release/net10.0/MySign.Web.dll

## Runs the whole suite against the private PostgreSQL, a real SMTP server and Debian's Chromium.
test: build services
	eval "$$(scripts/services.sh env)"
	rm -rf TestResults
	export MYSIGN_LOGGED_ERRORS=$(CURDIR)/TestResults/logged-errors
	status=0
	dotnet test MySign.sln -c Release --no-build --logger "trx" --results-directory TestResults || status=$$?
	scripts/test-summary.sh TestResults || status=1
	exit $$status

## Regenerates Wolverine's handler/endpoint code into src/MySign.Web/Internal/Generated (commit the result).
codegen: restore
	rm -rf $(WEB)/Internal/Generated  # stale code may no longer compile against changed handlers
	dotnet build $(WEB) -c Release --no-restore --verbosity quiet -nologo -clp:ErrorsOnly -p:TreatWarningsAsErrors=false
	cd $(WEB) && ASPNETCORE_ENVIRONMENT=Development dotnet bin/Release/net10.0/MySign.Web.dll codegen write

## Benchmarks (wrk) against a running Release host; writes bench/results/latest.md.
bench: build
	scripts/services.sh up bench
	scripts/bench.sh

## Runs the concurrency tests (SHAKE=browser or all for others) ROUNDS times with the CPUs kept busy: flaky tests show here.
SHAKE ?= concurrency
ROUNDS ?= 20
shake: build
	scripts/services.sh up shake
	scripts/shake.sh $(SHAKE) $(ROUNDS)

stop:
	scripts/services.sh down

clean:
	dotnet clean MySign.sln --verbosity quiet || true
	rm -rf TestResults
