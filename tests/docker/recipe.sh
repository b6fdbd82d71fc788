#!/usr/bin/env bash
# Tests the Docker recipe of docs/docker.md without a container engine (none
# runs here): an empty root directory holding only what the recipe puts in a
# golang image — the Go toolchain at /usr/local/go, the static gotriage at
# /usr/local/bin/gotriage, the shim directory /usr/local/gotriage/bin made by
# `gotriage install`, and the image's PATH with the shim directory first —
# entered with chroot in a private mount namespace (as root).  No git, as in
# golang:*-alpine.
#
# Checks: the static binary runs with no libc around it; `gotriage which`
# shows the shim in front of /usr/local/go/bin/go; `go version` runs through
# it; a go command that needs git fails exactly as the real go does (same
# stderr bytes, same exit status), with a diagnosis appended after go's own
# output.  Usage: tests/docker/recipe.sh GOTRIAGE_STATIC_BINARY GOROOT
set -euo pipefail

bin=$1
goroot=$2
[ "$(id -u)" = 0 ] || { echo "recipe.sh: needs root (chroot, mount)" >&2; exit 1; }
root=$(mktemp -d /tmp/gotriage-recipe.XXXXXX)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{usr/local/go,usr/local/bin,proc,dev,tmp,root,src/app,etc}
cp "$bin" "$root/usr/local/bin/gotriage"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
cat > "$root/src/app/go.mod" <<'MOD'
module example.com/app

go 1.21

require github.com/acme/lib v1.0.0
MOD
printf 'package main\n\nimport _ "github.com/acme/lib"\n\nfunc main() {}\n' > "$root/src/app/main.go"

# Inside the namespace: bind the toolchain read-only, mount /proc and /dev/null.
inner=$(cat <<'INNER'
set -euo pipefail
mount --bind "$GOROOT_SRC" "$ROOT/usr/local/go"
mount -o remount,bind,ro "$ROOT/usr/local/go"
mount -t proc proc "$ROOT/proc"
touch "$ROOT/dev/null" && mount --bind /dev/null "$ROOT/dev/null"
run() { # run in the image: its environment, nothing from ours
    env -i HOME=/root GOTOOLCHAIN=local GOPATH=/go GOFLAGS=-modcacherw \
        PATH=/usr/local/gotriage/bin:/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin \
        /usr/sbin/chroot "$ROOT" "$@"
}
# The recipe's install step.
run /usr/local/bin/gotriage install --dir /usr/local/gotriage/bin >/dev/null
which_out=$(run /usr/local/bin/gotriage which)
echo "$which_out"
grep -q '^real go:  /usr/local/go/bin/go (go' <<<"$which_out"
grep -q '^shim:     active' <<<"$which_out"
run /bin/sh -c true 2>/dev/null && { echo "recipe.sh: the root is not empty" >&2; exit 1; }
version=$(run go version)
direct_version=$(run /usr/local/go/bin/go version)
[ "$version" = "$direct_version" ] || { echo "go version differs: $version" >&2; exit 1; }
echo "go version through the shim: $version"
# No git in the image: a direct fetch needs it.
set +e
cd_run() { env -i HOME=/root GOTOOLCHAIN=local GOPATH=/go GOFLAGS=-modcacherw GOPROXY=direct GONOSUMDB=github.com \
    PATH=/usr/local/gotriage/bin:/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin \
    /usr/sbin/chroot "$ROOT" go -C /src/app "$@"; }
direct_run() { env -i HOME=/root GOTOOLCHAIN=local GOPATH=/go GOFLAGS=-modcacherw GOPROXY=direct GONOSUMDB=github.com \
    PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin \
    /usr/sbin/chroot "$ROOT" /usr/local/go/bin/go -C /src/app "$@"; }
direct_run mod download > "$ROOT/tmp/direct.out" 2> "$ROOT/tmp/direct.err"; direct_status=$?
rm -rf "$ROOT/go"
cd_run mod download > "$ROOT/tmp/shim.out" 2> "$ROOT/tmp/shim.err"; shim_status=$?
set -e
echo "exit status: direct $direct_status, through the shim $shim_status"
[ "$direct_status" = "$shim_status" ] && [ "$direct_status" != 0 ]
cmp "$ROOT/tmp/direct.out" "$ROOT/tmp/shim.out"
direct_len=$(wc -c < "$ROOT/tmp/direct.err")
# go's own bytes first, unchanged; anything after them is gotriage's.
cmp -n "$direct_len" "$ROOT/tmp/direct.err" "$ROOT/tmp/shim.err"
echo "--- go's stderr (direct) ---"; cat "$ROOT/tmp/direct.err"
echo "--- through the shim ---"; cat "$ROOT/tmp/shim.err"
if [ -n "${REQUIRE_DIAGNOSIS:-}" ]; then
    grep -q "error\[$REQUIRE_DIAGNOSIS\]" "$ROOT/tmp/shim.err"
fi
INNER
)
ROOT=$root GOROOT_SRC=$goroot unshare --mount --propagation private bash -c "$inner"
echo "recipe.sh: ok"
