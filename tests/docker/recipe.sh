#!/usr/bin/env bash
# Tests the Docker recipe of docs/docker.md without a container engine (none
# runs here): an empty root directory holding only what the recipe puts in a
# golang image — the Go toolchain at /usr/local/go, the static gotriage where
# the recipe's COPY puts it, the shim directory made by the recipe's
# `RUN gotriage install --dir …`, and the image's PATH with the recipe's
# `ENV PATH=…:$PATH` in front — entered with chroot in a private mount
# namespace (as root).  No shell, no libc, no git: like golang:*-alpine
# before `apk add git`, and stricter.
#
# The three recipe lines are read from docs/docker.md (and docs/install.md,
# which repeats them), so the pages and this test cannot drift apart.  For each toolchain given, it checks that:
#   - the static binary runs with nothing around it, `gotriage install` is
#     idempotent there, and `gotriage which` shows the shim first and the
#     real go at /usr/local/go/bin/go;
#   - `go version` and `go env GOROOT` through the shim equal the real go's;
#   - without git, `go mod download` of a VCS module and `go build
#     -buildvcs=true` in a checkout fail through the shim with go's own bytes
#     and exit status (anything gotriage adds comes after them);
#   - the trap the page warns about: gotriage in /usr/local/bin without the
#     ENV line is behind /usr/local/go/bin/go, and `gotriage which` says so.
#
# Usage: tests/docker/recipe.sh GOTRIAGE_STATIC_BINARY GOROOT...
# (REQUIRE_DIAGNOSIS=ID also requires `error[ID]` after the missing-git failure.)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
docs=("$here/docs/docker.md" "$here/docs/install.md")
bin=$1
shift
[ $# -gt 0 ] || { echo "usage: $0 GOTRIAGE_STATIC_BINARY GOROOT..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "recipe.sh: needs root (chroot, mount)" >&2; exit 1; }
fail() { echo "recipe.sh: $*" >&2; exit 1; }

# The recipe's three lines, the same in every Dockerfile of both pages.
one() { # the single distinct value a sed expression extracts from the page
    local values
    values=$(sed -n "$1" "${docs[@]}" | sort -u)
    if [ -z "$values" ] || [ "$(printf '%s\n' "$values" | wc -l)" != 1 ]; then
        fail "docs/{docker,install}.md: expected one value for $2, found: ${values:-none}"
    fi
    printf '%s\n' "$values"
}
exe=$(one 's/^COPY gotriage-[^ ]* \(\/[^ ]*\)$/\1/p' "COPY gotriage-… DEST")
shim_dir=$(one 's/^RUN gotriage install --dir \(\/[^ ]*\)$/\1/p' "RUN gotriage install --dir")
# shellcheck disable=SC2016 # a literal $PATH, as the Dockerfile has it
env_dir=$(one 's/^ENV PATH=\([^:]*\):\$PATH.*$/\1/p' 'ENV PATH=…:$PATH')
[ "$env_dir" = "$shim_dir" ] || fail "docs/docker.md: ENV PATH puts $env_dir first, not $shim_dir"
[ "$(dirname "$exe")" = /usr/local/bin ] || fail "docs/docker.md: COPY to $exe, expected /usr/local/bin"
# The official images' PATH (docker-library/golang, Dockerfile-linux.template).
image_path=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
echo "recipe: COPY … $exe; RUN gotriage install --dir $shim_dir; ENV PATH=$shim_dir:\$PATH"

# Inside the namespace: bind the toolchain read-only, mount /proc and /dev/null.
inner=$(cat <<'INNER'
set -euo pipefail
fail() { echo "recipe.sh: $*" >&2; exit 1; }
mount --bind "$GOROOT_SRC" "$ROOT/usr/local/go"
mount -o remount,bind,ro "$ROOT/usr/local/go"
mount -t proc proc "$ROOT/proc"
touch "$ROOT/dev/null" && mount --bind /dev/null "$ROOT/dev/null"
extra_env=() # more of the Dockerfile's ENV, for one step
in_image() { # PATH CMD…: run in the image, with its environment and nothing of ours
    local path=$1
    shift
    env -i HOME=/root GOTOOLCHAIN=local GOPATH=/go "${extra_env[@]}" "PATH=$path" \
        /usr/sbin/chroot "$ROOT" "$@"
}
run() { in_image "$SHIM_DIR:$IMAGE_PATH" "$@"; }

run /bin/sh -c true 2>/dev/null && fail "the root is not empty: it has a shell"

# RUN gotriage install --dir …, twice: the second run changes nothing.
run gotriage install --dir "$SHIM_DIR" >/dev/null
again=$(run gotriage install --dir "$SHIM_DIR")
grep -q 'already runs gotriage' <<<"$again" || fail "install is not idempotent: $again"

which_out=$(run gotriage which)
echo "$which_out"
grep -q '^real go:  /usr/local/go/bin/go (go' <<<"$which_out" || fail "which: real go"
grep -qx "shim:     active: \`go\` on PATH is $SHIM_DIR/go, this gotriage" <<<"$which_out" ||
    fail "which: the shim is not first"
if grep -q '^note:' <<<"$which_out"; then fail "which: unexpected notes"; fi

for args in "version" "env GOROOT"; do
    # shellcheck disable=SC2086 # two-word go commands, split on purpose
    shim=$(run go $args)
    # shellcheck disable=SC2086
    direct=$(in_image "$IMAGE_PATH" /usr/local/go/bin/go $args)
    [ "$shim" = "$direct" ] || fail "go $args: '$shim' through the shim, '$direct' direct"
    echo "go $args through the shim: $shim"
done

same_failure() { # NAME DIR GO-ARGS…: fails identically with and without the shim
    local name=$1 dir=$2
    shift 2
    local d=$ROOT/tmp/$name
    set +e
    in_image "$IMAGE_PATH" /usr/local/go/bin/go -C "$dir" "$@" >"$d.direct.out" 2>"$d.direct.err"
    local direct=$?
    rm -rf "$ROOT/go" "$ROOT/root/.cache"
    run go -C "$dir" "$@" >"$d.shim.out" 2>"$d.shim.err"
    local shim=$?
    set -e
    echo "--- $name: go $*: exit status $direct direct, $shim through the shim"
    [ "$direct" != 0 ] || fail "$name: go succeeded without git"
    [ "$direct" = "$shim" ] || fail "$name: exit status differs"
    cmp "$d.direct.out" "$d.shim.out" || fail "$name: stdout differs"
    # go's own bytes first, unchanged; anything after them is gotriage's.
    cmp -n "$(wc -c <"$d.direct.err")" "$d.direct.err" "$d.shim.err" ||
        fail "$name: stderr differs"
    cat "$d.shim.err"
}

# No git: a private module (the page's ENV GOPRIVATE) comes from its
# repository, which needs git.
extra_env=(GOPRIVATE=github.com/acme)
same_failure mod-download /src/app mod download
extra_env=()
grep -q 'exec: "git": executable file not found in \$PATH' "$ROOT/tmp/mod-download.direct.err" ||
    fail "mod download: not the missing-git message"
if [ -n "${REQUIRE_DIAGNOSIS:-}" ]; then
    grep -q "error\[$REQUIRE_DIAGNOSIS\]" "$ROOT/tmp/mod-download.shim.err" ||
        fail "no error[$REQUIRE_DIAGNOSIS] after go's output"
fi
# No git: a checkout cannot be stamped when stamping is required (the
# default, -buildvcs=auto, skips it silently).
same_failure buildvcs /src/vcs build -buildvcs=true -o /tmp/app .
grep -q 'error obtaining VCS status' "$ROOT/tmp/buildvcs.direct.err" ||
    fail "build -buildvcs=true: not the VCS stamping message"

# The trap: the binary in /usr/local/bin as the `go` shim, no ENV line.
run gotriage install --dir /usr/local/bin >/dev/null
trap_out=$(in_image "$IMAGE_PATH" gotriage which)
grep -qx 'shim:     not active: `go` on PATH is /usr/local/go/bin/go, in front of the shim' \
    <<<"$trap_out" || fail "which does not see the shim behind the real go: $trap_out"
grep -q '^note:     the shim in /usr/local/bin (PATH entry 4) is behind /usr/local/go/bin/go' \
    <<<"$trap_out" || fail "which does not say where the shim is: $trap_out"
echo "--- without the ENV line:"
echo "$trap_out"
INNER
)

root=$(mktemp -d /tmp/gotriage-recipe.XXXXXX)
trap 'rm -rf "$root"' EXIT
for goroot in "$@"; do
    [ -x "$goroot/bin/go" ] || fail "no Go toolchain at $goroot (scripts/install-go.sh installs it)"
    echo "=== $(head -n1 "$goroot/VERSION") in an empty root"
    rm -rf "${root:?}"/*
    mkdir -p "$root"/{usr/local/go,usr/local/bin,proc,dev,tmp,root,src/app,src/vcs/.git}
    cp "$bin" "$root$exe"
    printf 'module example.com/app\n\ngo 1.21\n\nrequire github.com/acme/lib v1.0.0\n' \
        >"$root/src/app/go.mod"
    printf 'package main\n\nimport _ "github.com/acme/lib"\n\nfunc main() {}\n' >"$root/src/app/main.go"
    printf 'module example.com/vcs\n\ngo 1.21\n' >"$root/src/vcs/go.mod"
    printf 'package main\n\nfunc main() {}\n' >"$root/src/vcs/main.go"
    ROOT=$root GOROOT_SRC=$goroot SHIM_DIR=$shim_dir IMAGE_PATH=$image_path \
        unshare --mount --propagation private bash -c "$inner"
done
echo "recipe.sh: ok"
