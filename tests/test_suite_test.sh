#!/usr/bin/env bash
# Checks that the root test_suite //:tests (BUILD.bazel) names every test in
# the tree: Bazel 4's test_suite cannot gather the tests of other packages by
# itself, so the list is kept by hand and checked here. tools/test runs this
# after the Bazel tests, outside Bazel (it runs bazel query).
#
# Prints "PASSED CHECK" or "FAILED CHECK: WHY"; the exit status is non-zero
# when it failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name="//:tests lists every test"

# The sorted labels of the tests in $1, or the query's errors (status 1).
tests_in() {
  local out
  if ! out=$(cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} query --noshow_progress \
    "tests($1)" 2>&1); then
    echo "FAILED $name: bazel query 'tests($1)' failed"
    grep -E '^ERROR' <<<"$out" | sed 's/^/  /'
    return 1
  fi
  grep -E '^//' <<<"$out" | sort
}

in_tree=$(tests_in //...) || { echo "$in_tree"; exit 1; }
in_suite=$(tests_in //:tests) || { echo "$in_suite"; exit 1; }
missing=$(comm -23 <(echo "$in_tree") <(echo "$in_suite"))
if [[ -n $missing ]]; then
  echo "FAILED $name: BUILD.bazel's test_suite lacks:"
  sed 's/^/  /' <<<"$missing"
  exit 1
fi
echo "PASSED $name"
