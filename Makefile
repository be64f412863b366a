# The two commands of the README: `make demo` and `make test`. Both install the headers of LMDB
# and nettle (Debian's liblmdb-dev and nettle-dev) when they are missing, then run SwiftPM.
SWIFT ?= swift
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && echo sudo)

.PHONY: demo test soak build deps fixture bench bench-quick bench-smoke bench-deps clean

deps:
	@if [ ! -f /usr/include/lmdb.h ] || [ ! -f /usr/include/nettle/sha2.h ]; then \
		echo "lmdb.h or nettle/sha2.h is missing: installing liblmdb-dev and nettle-dev with apt"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblmdb-dev nettle-dev; \
	fi

build: deps
	$(SWIFT) build

demo: build
	$(SWIFT) run --skip-build dossier-ledger demo

# Builds everything with the tests, fails on any warning in the project's own code, then
# runs every test.
test: deps
	@$(SWIFT) build --build-tests 2>&1 | tee .build-warnings.log
	@if grep -E "^$(CURDIR)/(Sources|Tests)/.*warning:" .build-warnings.log; then \
		echo "make test: the build has warnings (above); the project builds with none"; rm -f .build-warnings.log; exit 1; fi
	@rm -f .build-warnings.log
	$(SWIFT) test --skip-build

# Crash soak: hundreds of SIGKILLed imports, each checked and resumed. CRASH_SEED=N replays a run.
CRASH_KILLS ?= 300
soak: deps
	$(SWIFT) build --build-tests
	CRASH_KILLS=$(CRASH_KILLS) $(SWIFT) test --skip-build --filter CrashTests

# Benchmarks (a nested package: Benchmarks/). Each benchmark runs the ledger, raw LMDB and an
# SQLite store side by side on the same events; the ratios go to Benchmarks/results/latest.json.
BENCH = cd Benchmarks && DOSSIER_LEDGER_BIN=$(CURDIR)/.build/release/dossier-ledger

bench-deps: deps
	@if [ ! -f /usr/include/sqlite3.h ]; then \
		echo "sqlite3.h is missing: installing libsqlite3-dev with apt"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev; \
	fi
	@command -v python3 >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3; }
	$(SWIFT) build -c release --product dossier-ledger

# The full suite: 100 k, 1 M and 10 M events (about 15 minutes on 2 cores, plus generating the workloads the first time;
# the import and the rebuild run BENCH_ROUNDS=3 rounds each and report the median).
bench: bench-deps
	$(BENCH) BENCH_SIZES=100000,1000000,10000000 $(SWIFT) package benchmark --no-progress
	cd Benchmarks && $(SWIFT) run -c release BenchReport results/latest.json

# The suite at 100 k events only (under 3 minutes once built).
bench-quick: bench-deps
	$(BENCH) BENCH_SIZES=100000 $(SWIFT) package benchmark --no-progress
	cd Benchmarks && $(SWIFT) run -c release BenchReport results/latest.json

# For CI: builds the suite and runs each benchmark once at the smallest size, timing nothing.
bench-smoke: bench-deps
	$(BENCH) BENCH_SIZES=100000 BENCH_ROUNDS=1 $(SWIFT) package benchmark --no-progress --quiet

# Regenerates Fixtures/langson-2019-h1 from its generator (a test checks the committed files are its output).
fixture: build
	$(SWIFT) run --skip-build dossier-ledger generate-fixture --output Fixtures/langson-2019-h1 --seed 2019

clean:
	rm -rf .build
