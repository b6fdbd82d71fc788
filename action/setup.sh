#!/usr/bin/env bash
# The one step of action.yml: install gotriage, make the go shim first on
# PATH for the job's later steps (GITHUB_PATH), and set what the inputs ask
# for (GITHUB_ENV).  Runs on the runner with the runner's file protocol:
# GITHUB_PATH, GITHUB_ENV and GITHUB_OUTPUT name files this step appends to;
# the runner applies them to the steps after it.
#
# Inputs (from action.yml, as environment variables):
#   INPUT_BINARY       a gotriage binary to install; empty: cargo install
#   INPUT_SUMMARY      true|false: the job summary sections
#   INPUT_REPORT_JSON  a file for the JSON event log; empty: none
set -euo pipefail

fail() { echo "::error title=gotriage action::$*"; exit 1; }
for v in GITHUB_PATH GITHUB_ENV GITHUB_OUTPUT RUNNER_TEMP GITHUB_ACTION_PATH; do
    [ -n "${!v:-}" ] || fail "$v is not set: this script runs as a step of the gotriage action"
done

root="$RUNNER_TEMP/gotriage"
bin_dir="$root/bin"
shim_dir="$root/shim"
mkdir -p "$bin_dir"

if [ -n "${INPUT_BINARY:-}" ]; then
    [ -f "$INPUT_BINARY" ] || fail "input binary: no file at $INPUT_BINARY"
    install -m 0755 "$INPUT_BINARY" "$bin_dir/gotriage"
else
    command -v cargo >/dev/null || fail "no binary given and no cargo on PATH to build gotriage (give the binary input, or install Rust first)"
    echo "gotriage: cargo install --locked --path $GITHUB_ACTION_PATH"
    cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "$root"
fi
gotriage="$bin_dir/gotriage"
"$gotriage" --version

# The shim: a `go` link to gotriage in a directory of its own.
"$gotriage" install --dir "$shim_dir"

# Later GITHUB_PATH lines end up first: the shim directory goes last.
echo "$bin_dir" >> "$GITHUB_PATH"
echo "$shim_dir" >> "$GITHUB_PATH"

case "${INPUT_SUMMARY:-true}" in
    true) ;;
    false) echo "GOTRIAGE_SUMMARY=off" >> "$GITHUB_ENV" ;;
    *) fail "input summary: expected true or false, got '$INPUT_SUMMARY'" ;;
esac
if [ -n "${INPUT_REPORT_JSON:-}" ]; then
    case "$INPUT_REPORT_JSON" in
        *$'\n'*) fail "input report-json: a file name cannot hold a newline" ;;
    esac
    echo "GOTRIAGE_REPORT_JSON=$INPUT_REPORT_JSON" >> "$GITHUB_ENV"
fi

{
    echo "gotriage=$gotriage"
    echo "shim-dir=$shim_dir"
} >> "$GITHUB_OUTPUT"

# What later steps will see.  A go set up after this step (actions/setup-go
# adds its directory with GITHUB_PATH too) would stand in front of the shim:
# `gotriage which` in a later step says so.
if ! PATH="$shim_dir:$bin_dir:$PATH" "$gotriage" which; then
    echo "::notice title=gotriage::no real go on PATH yet; set up Go before this action so the shim stays in front of it"
fi
