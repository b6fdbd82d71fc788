#!/usr/bin/env bash
# `make demo`: one real failure, diagnosed through the shim.
#
# Starts one git server on loopback that needs credentials (git's smart HTTP,
# `git http-backend` behind lighttpd with Basic auth, on 127.0.0.1), makes a
# private module github.com/acme/private-lib reachable through it (an
# `insteadOf` rewrite in a throw-away HOME, as for a company forge), runs a
# real `go get` through the gotriage shim without credentials, and shows what
# the terminal shows.  Stops the server (by PID) however it ends.
# Usage: demo/demo.sh GOTRIAGE_BINARY GO_BINARY
set -euo pipefail
gotriage=$(readlink -f "$1")
go=$(readlink -f "$2")
work=$(mktemp -d /tmp/gotriage-demo.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A free port on 127.0.0.1.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The private module, as a bare repository with a tag.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
src=$work/src && mkdir -p "$src"
printf 'module github.com/acme/private-lib\n\ngo 1.19\n' > "$src/go.mod"
printf 'package lib\n\nconst Answer = 42\n' > "$src/lib.go"
git -C "$src" init -q -b main
git -C "$src" add .
git -C "$src" -c user.name=demo -c user.email=demo@example.com commit -qm v1
git -C "$src" tag v1.0.0
mkdir -p "$work/git/acme"
git clone -q --bare "$src" "$work/git/acme/private-lib.git"

# The server: every URL goes to git http-backend; /acme/ needs a login.
mkdir -p "$work/www"
printf 'alice:s3cret\n' > "$work/users"
cat > "$work/lighttpd.conf" <<CONF
server.modules = ( "mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$work/www"
server.errorlog = "$work/lighttpd.log"
alias.url = ( "/" => "/usr/lib/git-core/git-http-backend/" )
cgi.assign = ( "" => "" )
setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$work/git", "GIT_HTTP_EXPORT_ALL" => "1" )
auth.backend = "plain"
auth.backend.plain.userfile = "$work/users"
\$HTTP["url"] =~ "^/acme/" {
    auth.require = ( "" => ( "method" => "basic", "realm" => "acme", "require" => "valid-user" ) )
}
CONF
/usr/sbin/lighttpd -D -f "$work/lighttpd.conf" &
pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

# A developer's machine: the company forge behind github.com paths, the
# module marked private, no credentials configured.
home=$work/home && mkdir -p "$home" "$work/shim" "$work/app"
printf '[url "http://127.0.0.1:%s/"]\n\tinsteadOf = https://github.com/\n' "$port" > "$home/.gitconfig"
ln -s "$gotriage" "$work/shim/go"
printf 'module example.com/app\n\ngo 1.19\n' > "$work/app/go.mod"
unset GIT_CONFIG_GLOBAL GIT_CONFIG_NOSYSTEM
cd "$work/app"
echo "\$ go get github.com/acme/private-lib@v1.0.0      # go is the gotriage shim"
status=0
env -i HOME="$home" PATH="$work/shim:$(dirname "$go"):/usr/bin:/bin" LANG="${LANG:-C.UTF-8}" \
    GOTRIAGE_LANG="${GOTRIAGE_LANG:-}" TERM="${TERM:-dumb}" NO_COLOR="${NO_COLOR:-}" \
    GOPRIVATE=github.com/acme GOTOOLCHAIN=local GOFLAGS=-modcacherw \
    go get github.com/acme/private-lib@v1.0.0 || status=$?
echo "(exit status $status, as the real go's)"
