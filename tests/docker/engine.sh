#!/usr/bin/env bash
# docs/docker.md's recipe built by a real container engine: Debian's podman
# (OCI runtime runc, vfs storage), a base image made with debootstrap from
# Debian's archive and imported, a "golang" image made from it the way
# docker-library/golang makes its images (the toolchain at /usr/local/go,
# PATH=/go/bin:/usr/local/go/bin:…, GOPATH=/go), the static gotriage from
# `make dist`, and the recipe's three lines read from docs/docker.md.
#
# Checks, each a real `podman build`:
#   1. PATH order: after the recipe, `command -v go` is the shim and
#      `gotriage which` says active with the real go at /usr/local/go/bin/go.
#   2. `RUN go mod download` of a GOPRIVATE module with no network
#      (--network none) fails with go's own error and gotriage's diagnosis
#      after it, and the build fails.
#   3. `RUN --mount=type=secret,id=netrc,target=/root/.netrc go mod download`
#      against a git server on loopback that wants Basic auth: with the
#      secret the build succeeds and the token is in no layer, no history and
#      no log; without it the build fails with `https-credentials-missing`.
#   4. `RUN --mount=type=ssh go mod download` against sshd on loopback, the
#      agent forwarded with `--ssh default`: succeeds; without the agent the
#      build fails with `ssh-publickey-denied`.
#   5. `.git` owned by another uid (COPY --chown=1234:1234, built as root):
#      `go build` fails with go's hidden "exit status 128", and gotriage
#      shows git's message: `vcs-dubious-ownership`.
#
# Why podman needs the flags below on this machine (docs/docker.md, "What
# is tested here"):
#   --runtime runc   crun refuses the hybrid cgroup layout ("cgroups in hybrid
#                    mode not supported, drop all controllers from cgroupv2":
#                    the v2 hierarchy holds the hugetlb controller)
#   --ulimit …       podman's default rlimits (RLIMIT_NOFILE 1048576, RLIMIT_NPROC
#                    32768 or 1048576) lie above the hard limits here; raising a
#                    hard limit needs CAP_SYS_RESOURCE, which is not in this
#                    sandbox's capability bounding set, so runc's setrlimit
#                    fails with EPERM.  Limits at or below ours work.
#
# Usage: tests/docker/engine.sh GOTRIAGE_STATIC_BINARY GOROOT
# Storage and the base image are kept in $ENGINE_WORK (default
# .cache/engine) between runs; the images each run builds are removed.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "$1")
goroot=$(realpath "$2")
work=${ENGINE_WORK:-$here/.cache/engine}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
fail() { echo "engine.sh: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root"
command -v podman >/dev/null || fail "podman is not installed (scripts/deps.sh installs it)"

mkdir -p "$work"
podman=(podman --storage-driver vfs --root "$work/storage" --runroot "$work/run" --runtime runc)
# The build's rlimits: within this shell's hard limits (see above).
min() { if [ "$1" = unlimited ] || { [ "$2" != unlimited ] && [ "$2" -lt "$1" ]; }; then echo "$2"; else echo "$1"; fi; }
nofile_hard=$(min "$(ulimit -Hn)" 1048576)
nproc=$(min "$(ulimit -Hu)" 4096)
limits=(--ulimit "nofile=$(min "$nofile_hard" 1024):$nofile_hard" --ulimit "nproc=$nproc:$nproc")
base=localhost/gotriage-test/debian:bookworm-git-ssh
golang=localhost/gotriage-test/golang:local

# The base image: Debian bookworm, minbase plus git and ssh, from Debian's archive.
if ! "${podman[@]}" image exists "$base"; then
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase --include=git,ca-certificates,openssh-client bookworm "$work/rootfs" "$mirror" \
        > "$work/debootstrap.log" 2>&1 || fail "debootstrap (log: $work/debootstrap.log)"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | "${podman[@]}" import - "$base" >/dev/null
    rm -rf "$work/rootfs"
fi

tmp=$(mktemp -d)
server=
sshd=
agent=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ -n "$sshd" ] && kill "$sshd" 2>/dev/null
    [ -n "$agent" ] && kill "$agent" 2>/dev/null
    "${podman[@]}" rmi -f "$golang" localhost/gotriage-test/t1 localhost/gotriage-test/t3 >/dev/null 2>&1 || true
    "${podman[@]}" image prune -f >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

build() { # NAME CONTEXT [podman build args…]: build, log to $tmp/NAME.log; returns its status
    local name=$1 ctx=$2
    shift 2
    local st=0
    "${podman[@]}" build "${limits[@]}" --layers=false "$@" "$ctx" > "$tmp/$name.log" 2>&1 || st=$?
    echo "--- podman build ($name): exit $st"
    return "$st"
}

# The golang image, as docker-library/golang lays it out.
mkdir -p "$tmp/golang"
cp -a "$goroot" "$tmp/golang/go"
cat > "$tmp/golang/Dockerfile" <<EOF
FROM $base
ENV GOLANG_VERSION=$("$goroot/bin/go" env GOVERSION)
ENV GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:\$PATH
COPY go /usr/local/go
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go
WORKDIR /go
EOF
build golang "$tmp/golang" --network none -t "$golang" || { cat "$tmp/golang.log"; fail "the golang image"; }

# The recipe's three lines, from the page (as tests/docker/recipe.sh reads them).
# shellcheck disable=SC2016 # a literal $PATH, as the Dockerfile has it
recipe=$(grep -E '^(COPY gotriage-x86_64-unknown-linux-musl /usr/local/bin/gotriage|RUN gotriage install --dir /usr/local/gotriage/bin|ENV PATH=/usr/local/gotriage/bin:\$PATH)$' \
    "$here/docs/docker.md" | awk '!seen[$0]++')
[ "$(printf '%s\n' "$recipe" | wc -l)" = 3 ] || fail "docs/docker.md: the recipe's three lines not found: $recipe"
ctx() { # DIR: a build context with the static binary under the recipe's name
    mkdir -p "$1"
    cp "$bin" "$1/gotriage-x86_64-unknown-linux-musl"
}
printf 'module example.com/app\n\ngo 1.21\n\nrequire github.com/acme/private v1.0.0\n' > "$tmp/go.mod"

# 1 and 2: PATH order, then a diagnosed failure in RUN go mod download.
ctx "$tmp/c1"
cp "$tmp/go.mod" "$tmp/c1/"
cat > "$tmp/c1/Dockerfile" <<EOF
FROM $golang
$recipe
RUN gotriage which && test "\$(command -v go)" = /usr/local/gotriage/bin/go
ENV GOPRIVATE=github.com/acme
WORKDIR /src
COPY go.mod ./
RUN go mod download
EOF
if build t1 "$tmp/c1" --network none -t localhost/gotriage-test/t1; then
    cat "$tmp/t1.log"
    fail "1: go mod download with no network succeeded"
fi
log1=$tmp/t1.log
# shellcheck disable=SC2016 # backticks in gotriage's text
grep -q '^shim: *active: `go` on PATH is /usr/local/gotriage/bin/go' "$log1" || { cat "$log1"; fail "1: gotriage which: shim not active"; }
grep -q '^real go: */usr/local/go/bin/go (go' "$log1" || { cat "$log1"; fail "1: gotriage which: real go"; }
grep -q 'github.com/acme/private@v1.0.0' "$log1" || { cat "$log1"; fail "2: go's own error is missing"; }
grep -q '^gotriage: error\[dns-resolution-failed\]' "$log1" || { cat "$log1"; fail "2: no diagnosis after go mod download"; }
sed -n '/RUN gotriage which/,/^STEP/p' "$log1"
sed -n '/RUN go mod download/,$p' "$log1"

# 3: RUN --mount=type=secret with a .netrc, against a git server on loopback.
token="ghp_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$tmp/repos/acme"
git init -q --bare "$tmp/repos/acme/private.git"
git -C "$tmp/repos/acme/private.git" config http.receivepack false
mkdir -p "$tmp/src" && (
    cd "$tmp/src"
    git init -q && printf 'module github.com/acme/private\n\ngo 1.21\n' > go.mod
    printf 'package private\n\nconst Answer = 42\n' > p.go
    git add . && git -c user.name=t -c user.email=t@t commit -qm v1 && git tag v1.0.0
    git push -q "$tmp/repos/acme/private.git" HEAD:refs/heads/main v1.0.0
)
coproc SRV { exec python3 "$here/tests/docker/githttp.py" "$tmp/repos" x-access-token "$token"; }
server=$SRV_PID
read -r port <&"${SRV[0]}"
printf 'machine 127.0.0.1\nlogin x-access-token\npassword %s\n' "$token" > "$tmp/netrc"
for variant in secret nosecret; do
    ctx "$tmp/c3-$variant"
    cp "$tmp/go.mod" "$tmp/c3-$variant/"
    mount=
    [ "$variant" = secret ] && mount='--mount=type=secret,id=netrc,target=/root/.netrc '
    cat > "$tmp/c3-$variant/Dockerfile" <<EOF
FROM $golang
$recipe
ENV GOPRIVATE=github.com/acme
RUN git config --global url."http://127.0.0.1:$port/".insteadOf "https://github.com/"
WORKDIR /src
COPY go.mod ./
RUN ${mount}go mod download && go list -m all
RUN test ! -e /root/.netrc
EOF
done
build t3 "$tmp/c3-secret" --network host --secret id=netrc,src="$tmp/netrc" -t localhost/gotriage-test/t3 ||
    { cat "$tmp/t3.log"; fail "3: the build with the .netrc secret failed"; }
grep -q '^github.com/acme/private v1.0.0$' "$tmp/t3.log" || { cat "$tmp/t3.log"; fail "3: module not listed"; }
"${podman[@]}" save -o "$tmp/t3.tar" localhost/gotriage-test/t3 >/dev/null
"${podman[@]}" history --no-trunc localhost/gotriage-test/t3 > "$tmp/t3.history"
if grep -aq "${token#ghp_}" "$tmp/t3.tar" "$tmp/t3.history" "$tmp/t3.log"; then
    fail "3: the token is in the image, its history or the build log"
fi
rm -f "$tmp/t3.tar"
echo "3: with the secret mount: module downloaded; the token is in no layer, history or log"
if build t3n "$tmp/c3-nosecret" --network host; then
    fail "3: the build without the secret succeeded"
fi
grep -q '^gotriage: error\[https-credentials-missing\]' "$tmp/t3n.log" || { cat "$tmp/t3n.log"; fail "3: no https-credentials-missing"; }
grep -aq "${token#ghp_}" "$tmp/t3n.log" && fail "3: the token is in the log"
sed -n '/RUN go mod download/,$p' "$tmp/t3n.log"

# 4: RUN --mount=type=ssh, the agent forwarded, against sshd on loopback.
mkdir -p "$tmp/ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/user" -C user
cp "$tmp/ssh/user.pub" "$tmp/ssh/authorized_keys"
sshport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/ssh/sshd_config" <<SSHD
Port $sshport
ListenAddress 127.0.0.1
HostKey $tmp/ssh/host
AuthorizedKeysFile $tmp/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $tmp/ssh/sshd.pid
SSHD
/usr/sbin/sshd -D -e -f "$tmp/ssh/sshd_config" 2> "$tmp/ssh/sshd.log" &
sshd=$!
agent_env=$(ssh-agent -s -a "$tmp/ssh/agent.sock")
agent=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$agent_env")
export SSH_AUTH_SOCK=$tmp/ssh/agent.sock
ssh-add -q "$tmp/ssh/user"
for variant in agent noagent; do
    ctx "$tmp/c4-$variant"
    cp "$tmp/go.mod" "$tmp/c4-$variant/"
    # The host key the test made, checked in as docs/docker.md says: no keyscan.
    printf '[127.0.0.1]:%s %s\n' "$sshport" "$(cut -d' ' -f1-2 "$tmp/ssh/host.pub")" > "$tmp/c4-$variant/known_hosts"
    mount=
    [ "$variant" = agent ] && mount='--mount=type=ssh '
    cat > "$tmp/c4-$variant/Dockerfile" <<EOF
FROM $golang
$recipe
ENV GOPRIVATE=github.com/acme
COPY known_hosts /root/.ssh/known_hosts
RUN git config --global url."ssh://root@127.0.0.1:$sshport$tmp/repos/".insteadOf "https://github.com/"
WORKDIR /src
COPY go.mod ./
RUN ${mount}go mod download && go list -m all
EOF
done
build t4 "$tmp/c4-agent" --network host --ssh default ||
    { cat "$tmp/t4.log" "$tmp/ssh/sshd.log"; fail "4: the build with the SSH agent forwarded failed"; }
grep -q '^github.com/acme/private v1.0.0$' "$tmp/t4.log" || { cat "$tmp/t4.log"; fail "4: module not listed"; }
echo "4: with --mount=type=ssh and the agent forwarded: module downloaded over SSH"
if build t4n "$tmp/c4-noagent" --network host; then
    fail "4: the build without the SSH agent succeeded"
fi
grep -q '^gotriage: error\[ssh-publickey-denied\]' "$tmp/t4n.log" || { cat "$tmp/t4n.log"; fail "4: no ssh-publickey-denied"; }
sed -n '/RUN go mod download/,$p' "$tmp/t4n.log"

# 5: a .git that belongs to another uid.
ctx "$tmp/c5"
mkdir -p "$tmp/c5/app" && (
    cd "$tmp/c5/app"
    git init -q && printf 'module example.com/app\n\ngo 1.21\n' > go.mod
    printf 'package main\n\nfunc main() {}\n' > main.go
    git add . && git -c user.name=t -c user.email=t@t commit -qm app
)
cat > "$tmp/c5/Dockerfile" <<EOF
FROM $golang
$recipe
COPY --chown=1234:1234 app /src
WORKDIR /src
RUN go build -o /tmp/app .
EOF
if build t5 "$tmp/c5" --network none; then
    fail "5: go build in a tree owned by another uid succeeded"
fi
grep -q 'error obtaining VCS status: exit status 128' "$tmp/t5.log" || { cat "$tmp/t5.log"; fail "5: go's stamping error is missing"; }
grep -q '^gotriage: error\[vcs-dubious-ownership\]' "$tmp/t5.log" || { cat "$tmp/t5.log"; fail "5: no vcs-dubious-ownership"; }
sed -n '/RUN go build/,$p' "$tmp/t5.log"

echo "engine.sh: ok ($(podman --version), runc $(runc --version | sed -n 's/^runc version //p'), vfs storage)"
