# The two commands of the README: `make demo` and `make test`. Both install LMDB's headers
# (Debian's liblmdb-dev) when they are missing, then run SwiftPM.
SWIFT ?= swift
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && echo sudo)

.PHONY: demo test build deps fixture clean

deps:
	@if [ ! -f /usr/include/lmdb.h ]; then \
		echo "lmdb.h is missing: installing liblmdb-dev with apt"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblmdb-dev; \
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

# Regenerates Fixtures/langson-2019-h1 from its generator (a test checks the committed files are its output).
fixture: build
	$(SWIFT) run --skip-build dossier-ledger generate-fixture --output Fixtures/langson-2019-h1 --seed 2019

clean:
	rm -rf .build
