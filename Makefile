# Loket: the two commands a new user types are `make run` and `make test`.
SWIFT ?= swift
PORT ?= 8080
HOST ?= 127.0.0.1
DB ?= var/loket.sqlite
CONFIG ?= config
# e.g. make run CLOCK=2026-12-01T09:00:00+01:00 to try a Tuesday morning on a weekend
CLOCK ?=
# Citizen mail is written here as .eml files (use --smtp URL for a real mail server)
MAIL_DIR ?= var/mail
VENV = .venv

.PHONY: run test build release deps bench swift-test browser-test clean demo-history

deps:
	@scripts/install-deps.sh build

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product loket

## make run: install what is missing, build, and serve the demo municipality.
run: release
	@mkdir -p var
	@scripts/show-urls.sh $(HOST) $(PORT) $(DB) $(MAIL_DIR)
	.build/release/loket serve --config $(CONFIG) --db $(DB) --host $(HOST) --port $(PORT) --mail-dir $(MAIL_DIR) $(if $(CLOCK),--clock $(CLOCK))

## make demo-history: a demo database with a year of generated office life, for the dashboard's
## charts and the CSV export; then `make run DB=var/history.sqlite CLOCK=2026-12-01T09:00:00+01:00`.
demo-history: deps
	$(SWIFT) build -c release --product loket-bench
	@mkdir -p var
	rm -f var/history.sqlite var/history.sqlite-wal var/history.sqlite-shm
	.build/release/loket-bench history --config $(CONFIG) --db var/history.sqlite --from 2025-12-01 --days 365
	@echo "Now: make run DB=var/history.sqlite CLOCK=2026-12-01T09:00:00+01:00"

## make test: install, build, and run every test (unit, live server, end to end, browser, terminal kiosk).
# The venv comes before the Swift tests: the LoketMail tests start a real SMTP server (aiosmtpd)
# with its python, and on CI fail rather than skip without it.
test:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory $(VENV)/.ready
	$(SWIFT) build --build-tests
	LOKET_TEST_PYTHON=$(abspath $(VENV))/bin/python $(SWIFT) test --skip-build --parallel --num-workers 2
	@$(MAKE) --no-print-directory browser-test

$(VENV)/.ready: tests/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r tests/requirements.txt
	touch $@

browser-test: $(VENV)/.ready
	$(VENV)/bin/python -m pytest -q tests

## make bench: speed figures measured side by side in one run.
bench:
	@scripts/install-deps.sh bench
	$(SWIFT) build -c release
	bench/run.sh

## make fuzz: libFuzzer on the parsers (bodies, requests, references, config, kiosk keys), each for
## FUZZ_SECONDS from Fuzz/corpus/; fails on a crash and prints where its input is (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
.PHONY: fuzz sanitize
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## make sanitize: the Swift tests once under AddressSanitizer and once under ThreadSanitizer, each in
## its own scratch path (scripts/sanitize.sh; SANITIZE_FILTER=LoketHTTPTests for some suites only).
sanitize: deps
	@$(MAKE) --no-print-directory $(VENV)/.ready
	LOKET_TEST_PYTHON=$(abspath $(VENV))/bin/python scripts/sanitize.sh

## make soak: kiosks, clerks, 200 displays and citizens against the release server for SOAK_MINUTES
## (default 30), then: no 5xx, every acknowledged write there, queue invariants, RSS/fds/threads flat,
## no secret in the trace log (tests/soak.py; a 3-minute run is part of make test).
SOAK_MINUTES ?= 30
.PHONY: soak
soak: release $(VENV)/.ready
	SOAK_MINUTES=$(SOAK_MINUTES) $(VENV)/bin/python tests/soak.py --binary .build/release/loket

clean:
	rm -rf .build $(VENV)
