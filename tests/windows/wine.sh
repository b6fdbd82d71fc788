#!/usr/bin/env bash
# The Windows shim under Wine, with a real go.exe (docs/install.md, "Windows").
#
#   tests/windows/wine.sh GOTRIAGE_EXE GOROOT_WINDOWS
#
# GOTRIAGE_EXE is the x86_64-pc-windows-gnu build (make dist's), laid out
# next to a hard link named go.exe, as `gotriage install` and rustup's
# proxies do; GOROOT_WINDOWS a Go distribution for windows/amd64
# (scripts/install-go-windows.sh).  Checked, each against go.exe run
# directly under the same Wine:
#   - `gotriage install` makes %LOCALAPPDATA%\gotriage\bin\go.exe (a hard
#     link: Wine's CreateSymbolicLinkW makes nothing), which runs go;
#     `gotriage uninstall` takes it off PATH (renamed aside: Windows does
#     not delete a name of a running program's file);
#   - the shim finds the real go.exe through PATH (PATHEXT) and skips
#     itself by file identity;
#   - `go version` and `go env GOROOT`: stdout byte-identical, exit 0;
#   - `go nosuchcmd`: go's stderr byte for byte, exit status 2 passed through;
#   - a module fetch from a loopback module proxy answering 404/410 (no git
#     needed): go's stderr byte for byte, its exit status, and the diagnosis
#     (private-module-via-proxy, as on Linux);
#   - GOTRIAGE=off (spawn + wait, Windows' stand-in for exec): same output
#     and status as go.exe alone;
#   - Ctrl-C (SIGINT, which Wine delivers as CTRL_C_EVENT): the shim
#     survives it, go gets its own, and the shim exits after go with go's
#     status (plumbing, with a stand-in go and a control run).
# Wine's prefix lives in .cache/wine (GOTRIAGE_WINEPREFIX); go >= 1.22 needs
# bcryptprimitives.dll, which Debian 12's Wine 8 lacks: a stand-in
# (tests/windows/bcryptprimitives.c) is built with mingw into its system32.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
exe=$(realpath "$1")
goroot=$(realpath "$2")
wine=${WINE:-/usr/lib/wine/wine64}
[ -x "$wine" ] || wine=$(command -v wine64 || command -v wine)
export WINEPREFIX=${GOTRIAGE_WINEPREFIX:-$here/.cache/wine}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export GOTRIAGE_LANG=en

fail=0
pass() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1" >&2; fail=1; }
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# The prefix and the ProcessPrng stand-in, once.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    "$wine" wineboot -i >/dev/null 2>&1 || true
fi
dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
if [ ! -f "$dll" ] || [ "$here/tests/windows/bcryptprimitives.c" -nt "$dll" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$dll" "$here/tests/windows/bcryptprimitives.c" -ladvapi32
fi

tmp=$(mktemp -d)
proxy_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/shim" "$tmp/mod" "$tmp/out"
cp "$exe" "$tmp/shim/gotriage.exe"
ln "$tmp/shim/gotriage.exe" "$tmp/shim/go.exe" 2>/dev/null || cp "$tmp/shim/gotriage.exe" "$tmp/shim/go.exe"

# The shim's directory first, then the real go: what `gotriage init` sets up.
WINEPATH="$(winpath "$tmp/shim");$(winpath "$goroot/bin")"
GOPATH=$(winpath "$tmp/gopath")
GOCACHE=$(winpath "$tmp/gocache")
export WINEPATH GOPATH GOCACHE
export GOTOOLCHAIN=local GOFLAGS='' GOSUMDB=off GONOSUMDB='' GOPRIVATE='' GONOPROXY=
realgo=$(winpath "$goroot/bin/go.exe")
shim=$(winpath "$tmp/shim/go.exe")

# run NAME PROGRAM ARGS...: stdout, stderr and status into $tmp/out/NAME.*
run() {
    local name=$1
    shift
    set +e
    (cd "$tmp/mod" && "$wine" "$@" >"$tmp/out/$name.out" 2>"$tmp/out/$name.err")
    echo $? >"$tmp/out/$name.rc"
    set -e
}
# same CASE: the shim's stdout and status equal go.exe's, and go's stderr is
# the start of the shim's, byte for byte.
same() {
    local c=$1
    if cmp -s "$tmp/out/$c.direct.out" "$tmp/out/$c.shim.out" &&
        cmp -s "$tmp/out/$c.direct.rc" "$tmp/out/$c.shim.rc"; then
        pass "$c: stdout and exit status $(cat "$tmp/out/$c.shim.rc") as go.exe's"
    else
        bad "$c: stdout/status differ (go.exe $(cat "$tmp/out/$c.direct.rc"), shim $(cat "$tmp/out/$c.shim.rc"))"
        diff <(od -c "$tmp/out/$c.direct.out") <(od -c "$tmp/out/$c.shim.out") | head -20 >&2 || true
    fi
    local n
    n=$(stat -c %s "$tmp/out/$c.direct.err")
    if cmp -s -n "$n" "$tmp/out/$c.direct.err" "$tmp/out/$c.shim.err" &&
        [ "$(stat -c %s "$tmp/out/$c.shim.err")" -ge "$n" ]; then
        pass "$c: go's stderr relayed byte for byte ($n bytes)"
    else
        bad "$c: stderr differs"
        cat "$tmp/out/$c.direct.err" "$tmp/out/$c.shim.err" >&2
    fi
}

run which "$(winpath "$tmp/shim/gotriage.exe")" which
if grep -q "real go: .*go-windows.*go.exe" "$tmp/out/which.out" &&
    grep -q "skipped .*shim.go.exe: this gotriage (same file)" "$tmp/out/which.out"; then
    pass "gotriage which: real go.exe found on PATH, the shim skipped by file identity"
else
    bad "gotriage which"
    cat "$tmp/out/which.out" "$tmp/out/which.err" >&2
fi

# gotriage install: the default shim directory, %LOCALAPPDATA%\gotriage\bin.
# Wine sets LOCALAPPDATA itself (to the test prefix's user profile, which
# this script owns), whatever the Unix environment says.
rm -rf "$WINEPREFIX"/drive_c/users/*/AppData/Local/gotriage
run install "$(winpath "$tmp/shim/gotriage.exe")" install
installed=$(sed -n 's/^created \(.*\\AppData\\Local\\gotriage\\bin\\go\.exe\) -> .*/\1/p' "$tmp/out/install.out")
if [ "$(cat "$tmp/out/install.rc")" = 0 ] && [ -n "$installed" ] &&
    grep -q "Invoke-Expression (& .* init powershell" "$tmp/out/install.out"; then
    pass "gotriage install: $installed, and the PowerShell line"
else
    bad "gotriage install"
    cat "$tmp/out/install.out" "$tmp/out/install.err" >&2
fi

for c in version "env GOROOT" nosuchcmd; do
    name=${c// /_}
    # shellcheck disable=SC2086 # the case is words
    run "$name.direct" "$realgo" $c
    # shellcheck disable=SC2086
    run "$name.shim" "$shim" $c
    same "$name"
done
if [ "$(cat "$tmp/out/version.shim.rc")" = 0 ] && grep -q "^go version go.* windows/amd64" "$tmp/out/version.shim.out"; then
    pass "go version through the shim: $(cat "$tmp/out/version.shim.out")"
else
    bad "go version through the shim"
fi
if [ -n "$installed" ]; then
    run version.installed "$installed" version
    cp "$tmp/out/version.direct.out" "$tmp/out/version_installed.direct.out"
    cp "$tmp/out/version.direct.err" "$tmp/out/version_installed.direct.err"
    cp "$tmp/out/version.direct.rc" "$tmp/out/version_installed.direct.rc"
    for f in out err rc; do cp "$tmp/out/version.installed.$f" "$tmp/out/version_installed.shim.$f"; done
    same version_installed
    run uninstall "$(winpath "$tmp/shim/gotriage.exe")" uninstall
    if [ "$(cat "$tmp/out/uninstall.rc")" = 0 ] && grep -q "^removed .*go.exe" "$tmp/out/uninstall.out" &&
        ! [ -e "$(find "$WINEPREFIX"/drive_c/users/*/AppData/Local/gotriage -name go.exe | head -n1)" ]; then
        pass "gotriage uninstall: $(head -n1 "$tmp/out/uninstall.out")"
    else
        bad "gotriage uninstall"
    fi
fi
if [ "$(cat "$tmp/out/nosuchcmd.shim.rc")" = 2 ]; then
    pass "go nosuchcmd: exit status 2 passed through"
else
    bad "go nosuchcmd: exit status $(cat "$tmp/out/nosuchcmd.shim.rc"), want 2"
fi

# A module proxy on loopback that has nothing (404 for lists, 410 for
# versions, as proxy.golang.org answers for a module it cannot fetch).
python3 - >"$tmp/port" <<'PY' &
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 410 if "/@v/" in self.path and not self.path.endswith("/list") else 404
        body = b"not found: " + self.path.encode() + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
proxy_pid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
GOPROXY=http://127.0.0.1:$(cat "$tmp/port")
export GOPROXY
printf 'module example.com/m\n\ngo 1.21\n' >"$tmp/mod/go.mod"
run fetch.direct "$realgo" mod download example.com/missing@v1.0.0
run fetch.shim "$shim" mod download example.com/missing@v1.0.0
same fetch
if [ "$(cat "$tmp/out/fetch.shim.rc")" = 1 ] &&
    grep -q "410 Gone" "$tmp/out/fetch.direct.err" &&
    grep -q "^gotriage: error\[private-module-via-proxy\]" "$tmp/out/fetch.shim.err"; then
    pass "failing module fetch (410 from the proxy): exit 1, diagnosed private-module-via-proxy"
else
    bad "failing module fetch not diagnosed"
    cat "$tmp/out/fetch.shim.err" >&2
fi

GOTRIAGE=off run fetch_off.shim "$shim" mod download example.com/missing@v1.0.0
cp "$tmp/out/fetch.direct.out" "$tmp/out/fetch_off.direct.out"
cp "$tmp/out/fetch.direct.rc" "$tmp/out/fetch_off.direct.rc"
cp "$tmp/out/fetch.direct.err" "$tmp/out/fetch_off.direct.err"
same fetch_off
if cmp -s "$tmp/out/fetch.direct.err" "$tmp/out/fetch_off.shim.err"; then
    pass "GOTRIAGE=off: stderr exactly go's, nothing added"
else
    bad "GOTRIAGE=off added output"
fi

# Ctrl-C.  Wine turns SIGINT into the console's CTRL_C_EVENT for the
# process it is sent to (a terminal's Ctrl-C sends it to the whole group,
# go included, as a Windows console does).  A stand-in go with no handler
# of its own (tests/windows/heartbeat.c, plumbing only) shows what Ctrl-C
# does to a process that does not handle it: it ends.  The shim must not:
# it stays until go has ended, then exits with go's status.
hb=gotriage-heartbeat-$$.exe
x86_64-w64-mingw32-gcc -O2 -o "$tmp/$hb" "$here/tests/windows/heartbeat.c"
# beating FILE: true while FILE still grows.
beating() {
    local a b
    a=$(stat -c %s "$1" 2>/dev/null || echo 0)
    sleep 0.5
    b=$(stat -c %s "$1" 2>/dev/null || echo 0)
    [ "$b" -gt "$a" ]
}
wait_beat() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
# Control: the stand-in alone, Ctrl-C'd.
"$wine" "$(winpath "$tmp/$hb")" "$(winpath "$tmp/beat0")" &
direct=$!
wait_beat "$tmp/beat0"
kill -INT "$direct"
set +e
wait "$direct"
direct_rc=$?
set -e
if beating "$tmp/beat0"; then
    bad "control: Ctrl-C did not end the stand-in go"
else
    pass "control: Ctrl-C ends a process with no handler (status $direct_rc)"
fi
# Through the shim.
GOTRIAGE_GO=$(winpath "$tmp/$hb") "$wine" "$shim" "$(winpath "$tmp/beat1")" &
shim_pid=$!
wait_beat "$tmp/beat1"
go_pid=$(pgrep -f -- "$hb" | grep -vx "$shim_pid" | head -n1)
kill -INT "$shim_pid"
sleep 0.5
if kill -0 "$shim_pid" 2>/dev/null && beating "$tmp/beat1"; then
    pass "Ctrl-C to the shim: the shim stays, go keeps running"
else
    bad "Ctrl-C to the shim ended it or go"
fi
kill -INT "$go_pid"
set +e
wait "$shim_pid"
shim_rc=$?
set -e
if [ "$shim_rc" = "$direct_rc" ] && ! beating "$tmp/beat1"; then
    pass "Ctrl-C to go: go ends, the shim exits after it with go's status ($shim_rc)"
else
    bad "after go's Ctrl-C the shim exited $shim_rc, go alone $direct_rc"
fi

exit $fail
