#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for SECONDS (default 60), one after
# the other, one job each, and prints a table: executions, executions per
# second, crashes and the corpus libFuzzer kept, per target.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_RUNS=10000000 bench/fuzz.sh 86400 TARGET   # stops at 10 million
#
# Builds with --config=fuzz (clang 14, ASan, libFuzzer), writes the seed
# corpora with //fuzz:seed_corpus, and keeps its work in $FUZZ_WORK_DIR
# (default /tmp/sbrgate-fuzz): corpus/TARGET grows from run to run,
# crashes/TARGET holds the input of any crash, TARGET.log each run's log.
# Exits non-zero when any target crashed.
set -uo pipefail
source "$(dirname "$0")/../tools/lib.sh"
source "$ROOT/fuzz/lib.sh"

seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]} > 0)) || targets=("${FUZZ_TARGETS[@]}")
for target in "${targets[@]}"; do
  [[ " ${FUZZ_TARGETS[*]} " == *" $target "* ]] ||
    { echo "fuzz.sh: no fuzz target '$target'; the targets: ${FUZZ_TARGETS[*]}" >&2; exit 2; }
done
work=${FUZZ_WORK_DIR:-/tmp/sbrgate-fuzz}
mkdir -p "$work"

bin=$(build_fuzzers) || { echo "fuzz.sh: the fuzz targets did not build" >&2; exit 1; }
write_seeds "$bin" "$work" || { echo "fuzz.sh: seed_corpus failed" >&2; exit 1; }

failed=0
printf '| %s | %s | %s | %s | %s | %s |\n' target seconds executions exec/s crashes corpus
printf '| --- | --- | --- | --- | --- | --- |\n'
for target in "${targets[@]}"; do
  start=$(date +%s)
  read -r executions crashes corpus < <(run_fuzzer "$bin" "$work" "$target" "$seconds")
  ((crashes == 0)) || failed=1
  took=$(($(date +%s) - start))
  printf '| %s | %s | %s | %s | %s | %s |\n' "$target" "$took" "$executions" \
    "$((executions / (took > 0 ? took : 1)))" "$crashes" "$corpus"
done
if ((failed)); then
  echo "crash inputs: $work/crashes/; logs: $work/*.log" >&2
fi
exit "$failed"
