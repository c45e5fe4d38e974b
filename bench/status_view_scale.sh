#!/usr/bin/env bash
# The status view at scale, on the real daemon: fills a data directory's
# local log with N lodgments' status histories (bench/fill_status_log, the
# daemon stopped), then starts sbrgated-sandbox on it RUNS times and, for
# each start, measures the time from exec to the ready file (the view has
# caught up and the gateway serves), the daemon's CPU time, VmRSS and VmHWM
# once ready, and checks that `sbrgate status` answers for one of the
# lodgments. A restart before the fill gives the daemon's own share.
#
# Target (README.md): a million lodgments, resident memory under 512 MiB
# and serving within 10 s of a restart.
#   bench/status_view_scale.sh [LODGMENTS] [RUNS]      # default 100000 3
# KEEP=1 keeps the data directory; FILL_ARGS adds flags of fill_status_log
# (FILL_ARGS=--sent-records-blob=false: the view without its blob reads).
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"
lodgments=${1:-100000}
runs=${2:-3}
"$ROOT/tools/setup"
run_bazel build -c opt --ui_event_filters=-info,-stdout --noshow_progress \
  //bench:fill_status_log //services/sbrgated:sbrgated-sandbox //services/cli:sbrgate >&2
bin=$(cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} info -c opt bazel-bin 2>/dev/null)
work=$(mktemp -d /tmp/sbrgate-viewscale.XXXXXX)
[[ ${KEEP:-0} == 1 ]] && echo "data directory: $work/data"
daemon=
times=()
cleanup() {
  [[ -n $daemon ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"

# Starts the daemon on data dir $1 and waits for its ready file; sets
# serving_s, cpu_s (user + system), rss_kib, hwm_kib and state (what
# `sbrgate status $2` answers).
measure() {
  local dir=$1 id=$2 ready="$work/ready.json" start end grpc
  rm -f "$ready"
  start=$(date +%s.%N)
  "$bin/services/sbrgated/sbrgated-sandbox" --embedded-sim --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback \
    --data-dir="$dir" --instance-id=bench --ready-file="$ready" \
    >"$work/daemon.out" 2>"$work/daemon.log" &
  daemon=$!
  until [[ -s $ready ]]; do
    kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s.%N)
  serving_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$daemon/stat")
  rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$daemon/status")
  hwm_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon/status")
  grpc=$(sed -E 's/.*"grpc": "([^"]+)".*/\1/' "$ready")
  state=$("$bin/services/cli/sbrgate" --gateway="$grpc" status "$id" --json 2>&1 |
    sed -nE 's/.*"state": *"([A-Z_]+)".*/\1/p' | head -1) || true
  kill "$daemon"
  wait "$daemon" || true
  daemon=
}

# A first start makes the data directory (development PKI, simulator
# state); a restart with the log still empty tells the view's memory and
# time from the rest of the daemon's.
measure "$data" none
measure "$data" none
base_kib=$rss_kib
echo "empty log, restart: serving after $serving_s s (CPU $cpu_s s), RSS $((rss_kib / 1024)) MiB, HWM $((hwm_kib / 1024)) MiB"

# Writes (fsynced) as fast as the log takes them; the daemon is not running.
t0=$(date +%s.%N)
filled=$("$bin/bench/fill_status_log" --data-dir="$data" --instance-id=bench --lodgments="$lodgments" ${FILL_ARGS:-})
t1=$(date +%s.%N)
records=$(sed -E 's/.*"records": ([0-9]+).*/\1/' <<<"$filled")
probe_id=$(sed -E 's/.*"last_id": "([^"]+)".*/\1/' <<<"$filled")
log_mib=$(du -sm "$data/log" | cut -f1)
awk -v n="$lodgments" -v r="$records" -v s="$log_mib" -v a="$t0" -v b="$t1" 'BEGIN {
  printf "filled %d lodgments, %d records, log %d MiB on disk, in %.1f s\n", n, r, s, b - a }'

for run in $(seq "$runs"); do
  measure "$data" "$probe_id"
  awk -v n="$lodgments" -v t="$serving_s" -v c="$cpu_s" -v r="$rss_kib" -v h="$hwm_kib" -v b="$base_kib" \
      -v run="$run" -v id="$probe_id" -v st="${state:-NO ANSWER}" 'BEGIN {
    printf "run %d: serving after %.2f s (target < 10, CPU %.2f s), RSS %.0f MiB, HWM %.0f MiB (target < 512), ",
           run, t, c, r / 1024, h / 1024
    printf "%.0f bytes per lodgment over the empty log; sbrgate status %s: %s\n",
           (r - b) * 1024 / n, id, st }'
  times+=("$serving_s")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END {
  printf "median time to serving over %d restarts: %.2f s\n", NR,
         (t[int((NR + 1) / 2)] + t[int(NR / 2) + 1]) / 2 }'
