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

.PHONY: all test deps lint unit e2e eval bench fixtures install dist demo docs fuzz clean \
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

eval:
	@echo "eval: the classifier is not wired in yet"

install:
	$(CARGO) install --locked --path .
	gotriage install

clean:
	$(CARGO) clean
