# Helpers for scenario `setup` snippets (sourced by lab/bin/sandbox).
# They run as root inside the run's own mount namespace, in $HOME/app
# (HOME=/root, a fresh directory per run), with the command's environment
# (the real go first on PATH, never the shim) and `set -euo pipefail`.
# shellcheck shell=bash

LAB_FIXED_DATE=2024-03-01T12:00:00Z

# The lab's own git invocations (never the scenario's git config).
labgit() {
    env GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
        GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.com \
        GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.com \
        GIT_AUTHOR_DATE=$LAB_FIXED_DATE GIT_COMMITTER_DATE=$LAB_FIXED_DATE \
        /usr/bin/git "$@"
}

# imports PKG... : main.go imports these packages (for tidy/build).
imports() {
    {
        printf 'package main\n\nimport (\n'
        local p
        for p in "$@"; do printf '\t_ "%s"\n' "$p"; done
        printf ')\n\nfunc main() {}\n'
    } >main.go
}

# require MODULE VERSION : go.mod requires it and go.sum has its hashes, as
# in a checked-out project; the module cache is then emptied (a clean CI
# machine or Docker build).  The hashes come from the lab's company proxy
# (/private/ view, which has every lab module), computed by go itself.
require() {
    labgo GOPROXY=https://proxy.test/private/ GOSUMDB=off go get "$1@$2" ||
        { echo "setup: require $1@$2 failed" >&2; return 1; }
    labgo go clean -modcache
}

# labgo [NAME=VALUE...] go ARGS... : the set-up's own go commands, with the
# lab's CA and no proxy or GOPRIVATE settings from the scenario.
labgo() {
    env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u GOPRIVATE -u GONOPROXY \
        -u GONOSUMDB -u GOINSECURE -u GOVCS -u GOFLAGS -u GOTOOLCHAIN -u GOPROXY \
        SSL_CERT_FILE=/srv/etc/ca-certificates.crt GIT_SSL_CAINFO=/srv/etc/ca-certificates.crt \
        GOFLAGS=-mod=mod GOTOOLCHAIN=local "$@"
}

# prefetch MODULE@VERSION... : fetch modules directly from their git
# servers (with working credentials), leaving the VCS cache under
# $GOMODCACHE/cache/vcs, then drop the extracted modules and zips so that
# the next go command has to use that cache again.
prefetch() {
    netrc_good
    labgo GOPROXY=direct GOSUMDB=off go mod download "$@" ||
        { echo "setup: prefetch $* failed" >&2; return 1; }
    rm -f "$HOME/.netrc"
    local modcache
    modcache=$(go env GOMODCACHE)
    chmod -R u+w "$modcache"
    find "$modcache" -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +
    rm -rf "$modcache/cache/download"
}

# corrupt_gosum PREFIX : change one character of the hash on the go.sum
# line starting with PREFIX (a damaged or hand-edited go.sum).
corrupt_gosum() {
    awk -v p="$1" 'index($0, p) == 1 {
        i = index($0, "h1:") + 3
        c = substr($0, i, 1)
        $0 = substr($0, 1, i - 1) (c == "X" ? "Y" : "X") substr($0, i + 1)
    } { print }' go.sum >go.sum.new
    cmp -s go.sum go.sum.new && { echo "setup: no go.sum line starts with $1" >&2; return 1; }
    mv go.sum.new go.sum
}

# vcs_dir MODULE_URL : the VCS cache directory go uses for a repository URL.
vcs_dir() {
    local modcache hash
    modcache=$(go env GOMODCACHE)
    hash=$(printf 'git3:%s' "$1" | sha256sum | cut -d' ' -f1)
    printf '%s/cache/vcs/%s\n' "$modcache" "$hash"
}

# sshdir : ~/.ssh with the mode ssh insists on.
sshdir() {
    mkdir -p "$HOME/.ssh"
    chmod 700 "$HOME/.ssh"
}

# ssh_key accepted|rejected : ~/.ssh/id_ed25519 is that lab client key.
ssh_key() {
    sshdir
    cp "/srv/ssh/id_$1" "$HOME/.ssh/id_ed25519"
    cp "/srv/ssh/id_$1.pub" "$HOME/.ssh/id_ed25519.pub"
    chmod 600 "$HOME/.ssh/id_ed25519"
}

# known_hosts good|changed|empty [HOST] : what ~/.ssh/known_hosts says about HOST.
known_hosts() {
    local host=${2:-github.com} key
    sshdir
    case $1 in
        good) key=/srv/ssh/host_ed25519.pub ;;
        changed) key=/srv/ssh/other_host_ed25519.pub ;;
        empty)
            : >"$HOME/.ssh/known_hosts"
            return
            ;;
        *) return 1 ;;
    esac
    printf '%s %s\n' "$host" "$(cut -d' ' -f1,2 "$key")" >>"$HOME/.ssh/known_hosts"
}

# ssh_config LINE... : lines for ~/.ssh/config.
ssh_config() {
    sshdir
    printf '%s\n' "$@" >>"$HOME/.ssh/config"
    chmod 600 "$HOME/.ssh/config"
}

# gitconfig KEY VALUE : git config --global (in ~/.gitconfig).
gitconfig() {
    GIT_CONFIG_NOSYSTEM=1 /usr/bin/git config --global "$1" "$2"
}

# insteadof NEW OLD : url.NEW.insteadOf OLD (the classic private-module rewrite).
insteadof() {
    gitconfig "url.$1.insteadOf" "$2"
}

# netrc HOST LOGIN PASSWORD : a ~/.netrc entry.
netrc() {
    printf 'machine %s login %s password %s\n' "$1" "$2" "$3" >>"$HOME/.netrc"
    chmod 600 "$HOME/.netrc"
}

# netrc_good : working credentials for the lab's git hosts.
netrc_good() {
    netrc github.com "$LAB_HTTP_USER" "$LAB_HTTP_PASSWORD"
    netrc git.test "$LAB_HTTP_USER" "$LAB_HTTP_PASSWORD"
}

# vcs_checkout : the work directory is a git checkout with one commit.
vcs_checkout() {
    labgit init -q -b main .
    labgit add -A
    labgit commit -q -m "Initial commit"
}
