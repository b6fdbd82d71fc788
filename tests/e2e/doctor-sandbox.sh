#!/usr/bin/env bash
# One `gotriage doctor` run of tests/e2e/doctor.rs, inside the lab's
# namespace and a mount namespace of its own (like lab/bin/sandbox):
#     doctor-sandbox.sh DIR LAB_LIB
# DIR (as seen inside, /srv/...) holds env and argv (NUL-separated) and
# setup.sh; DIR/home becomes /root.  Writes DIR/out/{stdout,stderr,exit,ms}
# and a listing with checksums of everything under /root before and after
# the run (doctor must write nothing).
set -euo pipefail
dir=$1
lab_lib=$2
out=$dir/out
mkdir -p "$out" "$dir/home"
mount --bind "$dir/home" /root
mkdir -p /root/app
cd /root/app
mapfile -d '' env <"$dir/env"
mapfile -d '' argv <"$dir/argv"
# shellcheck disable=SC2016 # expanded by the inner bash
if ! env -i "${env[@]}" bash -c '
        set -euo pipefail
        . "$1"
        printf "module example.com/app\n\ngo 1.19\n" >go.mod
        . "$2"
    ' setup "$lab_lib/setup.sh" "$dir/setup.sh" >"$out/setup.log" 2>&1; then
    echo setup-failed >"$out/exit"
    exit 0
fi
snapshot() {
    (cd /root && find . -printf '%p %m %s\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
snapshot >"$out/before"
start=$(date +%s%N)
set +e
env -i "${env[@]}" "${argv[@]}" </dev/null >"$out/stdout" 2>"$out/stderr"
echo $? >"$out/exit"
set -e
echo $((($(date +%s%N) - start) / 1000000)) >"$out/ms"
snapshot >"$out/after"
