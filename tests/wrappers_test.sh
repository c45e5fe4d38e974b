#!/usr/bin/env bash
# Runs the tools/ wrappers users start sbrgate with (tools/sbrgate,
# tools/sbrgated) from the checkout: each must build its binary and run it.
# tools/test runs this after the Bazel tests, outside Bazel: the wrappers call
# bazel, which a `bazel test` cannot do (its server lock is held).
#
# Prints "PASSED CHECK" or "FAILED CHECK: WHY" per check; the exit status is
# non-zero when any failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
failed=0

# check NAME EXPECTED_STATUS EXPECTED_TEXT COMMAND...: COMMAND exits with
# EXPECTED_STATUS and its stdout contains EXPECTED_TEXT.
check() {
  local name=$1 want_status=$2 want_text=$3; shift 3
  local err out status
  err=$(mktemp)
  out=$("$@" 2>"$err")
  status=$?
  if ((status != want_status)); then
    echo "FAILED $name: exit status $status, expected $want_status"
  elif [[ $out != *"$want_text"* ]]; then
    echo "FAILED $name: its output lacks '$want_text'"
  else
    echo "PASSED $name"
    rm -f "$err"
    return
  fi
  tail -n 20 "$err" | sed 's/^/  /'  # why: the build's or the binary's last words
  rm -f "$err"
  failed=1
}

check "tools/sbrgate --help" 0 "usage: sbrgate " "$ROOT/tools/sbrgate" --help
# Abseil's help flags exit 1; --help lists the daemon's own flags.
check "tools/sbrgated --help" 1 "embedded_sim" "$ROOT/tools/sbrgated" --help

exit "$failed"
