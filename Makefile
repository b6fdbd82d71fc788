# gotriage — the targets CI and developers use.
#
#   make test      everything CI runs: deps, lint, unit + integration tests,
#                  the failure lab's end-to-end tests, and the diagnosis eval
#   make demo      a real go failure diagnosed through the shim
#   make eval      diagnosis accuracy over fixtures/
#   make bench     speed and memory figures (hyperfine)
#   make fixtures  regenerate fixtures/ from the failure lab
#   make install   cargo install the binary and put the go shim on PATH
#   make dist      static (musl) release binary

CARGO   ?= cargo
export GOTRIAGE_GO_CACHE ?= $(CURDIR)/.cache/go
export CARGO_TERM_COLOR ?= never
# The toolchain that builds and tests the lab's own Go server (lab/goserver).
LAB_GO  = env GOTOOLCHAIN=local GOFLAGS= GOPROXY=off $(GOTRIAGE_GO_CACHE)/1.27.3/bin/go

.PHONY: all test deps lint unit e2e eval bench bench-diagnose fixtures diag-fixtures install dist demo docs fuzz clean \
	lab-start lab-stop lab-status

all: test

deps:
	scripts/deps.sh

test: deps lint unit e2e eval

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	shellcheck -x lab/labctl lab/bin/* lab/lib/setup.sh scripts/*.sh
	@unformatted=$$($(GOTRIAGE_GO_CACHE)/1.27.3/bin/gofmt -l lab/goserver); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	cd lab/goserver && $(LAB_GO) vet ./...

unit:
	$(CARGO) test --locked
	cd lab/goserver && $(LAB_GO) test ./...

# The failure lab (lab/, docs/lab.md): real go against real servers on
# loopback, as root.  `e2e` starts the lab unless one runs and stops it by
# PID afterwards, also when a test fails.
e2e:
	$(CARGO) test --locked --test e2e

# Regenerate fixtures/lab/ from scratch (a few minutes on 2 cores).
fixtures:
	python3 lab/lab.py fixtures

lab-start:
	lab/labctl start

lab-stop:
	lab/labctl stop

lab-status:
	lab/labctl status

# Diagnosis accuracy per ID and Go version over fixtures/{lab,diag,real};
# fails below 100% on the lab's and our own real runs (examples/eval.rs).
eval:
	$(CARGO) run --quiet --locked --example eval

# Diagnosis of 64 KiB of stderr, gate + regex compilation included (release).
bench-diagnose:
	$(CARGO) run --quiet --locked --profile bench --example bench_diagnose

bench: bench-diagnose

# Regenerate fixtures/diag/ from real runs of the installed toolchains (root).
diag-fixtures:
	scripts/diag-real-runs.py

# Fuzz the classifier and the redactor (nightly + cargo-fuzz); FUZZ_SECS each.
FUZZ_SECS ?= 300
fuzz:
	cd fuzz && cargo +nightly fuzz run classify -- -max_total_time=$(FUZZ_SECS) -timeout=5 -max_len=65536
	cd fuzz && cargo +nightly fuzz run structure -- -max_total_time=$(FUZZ_SECS) -timeout=5 -max_len=65536
	cd fuzz && cargo +nightly fuzz run redact -- -max_total_time=$(FUZZ_SECS) -timeout=5

install:
	$(CARGO) install --locked --path .
	gotriage install

clean:
	$(CARGO) clean
