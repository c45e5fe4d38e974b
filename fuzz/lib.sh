# Shared by bench/fuzz.sh and tests/fuzz_test.sh: building the fuzz targets
# of fuzz/BUILD.bazel (--config=fuzz, see .bazelrc), writing their seed
# corpora and running one target for a while. Source it after tools/lib.sh.

FUZZ_TARGETS=(
  payevnt_reader_fuzz envelope_reader_fuzz multipart_reader_fuzz
  event02_reader_fuzz clntcomm_wire_fuzz sim_request_fuzz
)

# Builds every target and the seed generator; prints the directory that
# holds them.
build_fuzzers() {
  build_quietly --config=fuzz "${FUZZ_TARGETS[@]/#/\/\/fuzz:}" //fuzz:seed_corpus || return 1
  echo "$(bazel_bin --config=fuzz)/fuzz"
}

# write_seeds BIN_DIR WORK_DIR: the seed corpora in WORK_DIR/seeds/TARGET,
# signed with the development PKI in WORK_DIR/pki, plus the ebMS3 interop
# fixtures for the envelope reader.
write_seeds() {
  local bin=$1 work=$2
  rm -rf "$work/seeds"
  ASAN_OPTIONS=detect_leaks=0 "$bin/seed_corpus" "$work/seeds" "$work/pki" || return 1
  cp "$ROOT"/third_party/testdata/ebms3/interop/*.xml "$work/seeds/envelope_reader_fuzz/"
}

# run_fuzzer BIN_DIR WORK_DIR TARGET SECONDS: fuzzes TARGET for SECONDS from
# its seeds and the corpus kept in WORK_DIR/corpus/TARGET (which grows), one
# job at a time, or until $FUZZ_RUNS executions when that is set (a run that
# must reach a count whatever else the machine does); a crash, leak or hang (10 s) stops it and leaves its input in
# WORK_DIR/crashes/TARGET. Log: WORK_DIR/TARGET.log. Prints
# "EXECUTIONS CRASHES CORPUS" (CORPUS: inputs libFuzzer kept); the status is
# non-zero when it crashed or did not run.
run_fuzzer() {
  local bin=$1 work=$2 target=$3 seconds=$4
  local log="$work/$target.log" crashes="$work/crashes/$target"
  mkdir -p "$work/corpus/$target" "$crashes"
  SBRGATE_FUZZ_PKI_DIR="$work/pki" "$bin/$target" -max_total_time="$seconds" \
    ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$work/corpus/$target" "$work/seeds/$target" >"$log" 2>&1
  local status=$?
  local executions corpus found
  executions=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
  corpus=$(grep -oE 'corp: [0-9]+/' "$log" | tail -n 1 | grep -oE '[0-9]+')
  found=$(find "$crashes" -type f | wc -l)
  echo "${executions:-0} $found ${corpus:-0}"
  ((status == 0 && found == 0 && ${executions:-0} > 0))
}
