#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (--config=fuzz: clang 14, ASan,
# libFuzzer) and runs each for a few seconds ($FUZZ_CHECK_SECONDS, 4) from
# its seed corpus: a crash, leak or hang fails its check. tools/test runs
# this after the Bazel tests, outside Bazel (it builds with bazel itself).
# bench/fuzz.sh runs the same targets for longer.
#
# Prints "PASSED CHECK" or "FAILED CHECK: WHY" per target; the exit status is
# non-zero when any failed.
set -uo pipefail
source "$(dirname "$0")/../tools/lib.sh"
source "$ROOT/fuzz/lib.sh"
seconds=${FUZZ_CHECK_SECONDS:-4}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! bin=$(build_fuzzers); then
  echo "FAILED fuzz targets build: bazel build --config=fuzz failed"
  exit 1
fi
if ! write_seeds "$bin" "$work" 2>"$work/seeds.log"; then
  echo "FAILED fuzz seed corpora: seed_corpus failed"
  sed 's/^/  /' "$work/seeds.log"
  exit 1
fi
failed=0
for target in "${FUZZ_TARGETS[@]}"; do
  result=$(run_fuzzer "$bin" "$work" "$target" "$seconds")
  status=$?
  read -r executions _ _ <<<"$result"
  if ((status == 0)); then
    echo "PASSED fuzz $target ($executions executions in ${seconds} s)"
  else
    echo "FAILED fuzz $target: crashed or did not run"
    # why: the sanitizer's or libFuzzer's verdict; bench/fuzz.sh keeps the input
    grep -E '^(==[0-9]+==ERROR|SUMMARY|ERROR|Test unit written)' \
      "$work/$target.log" | head -n 5 | sed 's/^/  /'
    failed=1
  fi
done
exit "$failed"
