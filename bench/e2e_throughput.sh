#!/usr/bin/env bash
# End-to-end lodging throughput of the opt daemon: lodgments per second from
# the first byte of upload to a final state, on the embedded default with
# the SBR simulator in the same process (sbrgated-sandbox --embedded-sim),
# lodged by an independent gRPC client (bench/lodging_load.cc). Per round
# it reports that rate, the client's latencies, the daemon's CPU per
# lodgment (simulator included) in milliseconds and in RSA-2048 signatures
# (`openssl speed rsa2048`, measured in the same invocation), and the
# simulator's count of early pulls (must be 0). It reports; it never fails
# on time.
#
#   bench/e2e_throughput.sh [--lodgments=600] [--concurrency=16] [--employees=10]
#                           [--rounds=3] [--scale=600] [--mode=embedded|kafka] [--keep]
#                           [--daemon=PATH] [--reference=PATH] [--daemon-cpus=LIST] [--client-cpus=LIST]
#
# --mode=kafka runs the same stages over librdkafka's mock cluster in the
# daemon's process (--embedded-kafka: the real protocol, transactions and
# consumer groups, in memory) instead of the durable local log.
# --daemon: another build of sbrgated-sandbox to run; default: this tree's.
# --reference: a second build (e.g. an earlier commit's), run right after
# the first in every round on the same pay events, so that each round is a
# pair taken in the same minute; the summary gives both daemons' medians
# and the median of the pairs' CPU ratios (on a shared host the same
# daemon's CPU a lodgment can move by a fifth between minutes: only pairs
# say anything).
# A copy outside bazel-bin finds its schemas through SBRGATE_RESOURCES=<checkout>.
# --daemon-cpus, --client-cpus: the CPUs (taskset -c LIST) the daemon and the
# client may run on, e.g. 1 and 0 for the daemon's cost on one vCPU.
# --scale: clock seconds per real second. At 600 a ten-employee lodgment's
# first poll (1 min after its receipt) comes 0.1 s after it, and the
# simulator answers 30 clock seconds (0.05 s) after the push.
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"

lodgments=600 concurrency=16 employees=10 rounds=3 scale=600 mode=embedded keep=0 daemon="" reference=""
daemon_pin=() client_pin=()
for arg in "$@"; do
  case $arg in
    --lodgments=*) lodgments=${arg#*=} ;;
    --concurrency=*) concurrency=${arg#*=} ;;
    --employees=*) employees=${arg#*=} ;;
    --rounds=*) rounds=${arg#*=} ;;
    --scale=*) scale=${arg#*=} ;;
    --mode=*) mode=${arg#*=} ;;
    --keep) keep=1 ;;
    --daemon=*) daemon=${arg#*=} ;;
    --reference=*) reference=${arg#*=} ;;
    --daemon-cpus=*) daemon_pin=(taskset -c "${arg#*=}") ;;
    --client-cpus=*) client_pin=(taskset -c "${arg#*=}") ;;
    -h | --help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e_throughput: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

[[ $mode == embedded || $mode == kafka ]] || { echo "e2e_throughput: --mode is embedded or kafka" >&2; exit 2; }
log_flag=()
[[ $mode == kafka ]] && log_flag=(--embedded-kafka)

"$ROOT/tools/setup" >/dev/null
daemons=("${daemon:-$(built_binary //services/sbrgated:sbrgated-sandbox)}")
[[ -n $reference ]] && daemons+=("$reference")
for d in "${daemons[@]}"; do
  [[ -x $d ]] || { echo "e2e_throughput: $d is not an executable" >&2; exit 2; }
done
LOAD=$(built_binary //bench:lodging_load)
command -v jq >/dev/null || { echo "e2e_throughput: needs jq (tools/setup installs it)" >&2; exit 1; }

# RSA-2048 signatures per second on this machine, now.
signs_per_second=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
ticks=$(getconf CLK_TCK)

# CPU seconds (user + system) of process PID so far.
cpu_seconds() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

echo "mode: $mode; RSA-2048: $signs_per_second signatures/s ($(awk -v s="$signs_per_second" 'BEGIN {printf "%.3f", 1000 / s}') ms each)"
printf '| round | daemon | lodgments | to final (s) | lodgments/s | ingest/s | p50 / p99 upload→final (s) | CPU ms/lodgment | in RSA signs | early pulls | final states |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
results=$(mktemp /tmp/sbrgate-e2e-results.XXXXXX)  # round, daemon index, lodgments/s, CPU ms
for round in $(seq "$rounds"); do
for index in "${!daemons[@]}"; do
  SBRGATED=${daemons[$index]}
  work=$(mktemp -d /tmp/sbrgate-e2e.XXXXXX)
  "${daemon_pin[@]}" "$SBRGATED" --embedded-sim --data-dir="$work/data" --instance-id=bench \
    --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback --sim-admin-port=0 \
    --max-uploads-per-caller="$concurrency" "${log_flag[@]}" \
    --time-scale="$scale" --clock-epoch="$(date +%s)" --sim-processing-base=30s \
    --sim-processing-per-employee=0s >"$work/ready" 2>"$work/daemon.log" &
  pid=$!
  for _ in $(seq 600); do [[ -s $work/ready ]] && break; sleep 0.1; done
  [[ -s $work/ready ]] || { echo "e2e_throughput: the daemon did not start; see $work/daemon.log" >&2; exit 1; }
  grpc=$(jq -r .grpc "$work/ready")
  sim_admin=$(jq -r .sim_admin "$work/ready")
  before=$(cpu_seconds "$pid")
  "${client_pin[@]}" "$LOAD" --gateway="$grpc" --lodgments="$lodgments" --concurrency="$concurrency" \
    --employees="$employees" --seed=$((round * 1000000)) >"$work/load.json" || true
  after=$(cpu_seconds "$pid")
  http_get "$sim_admin" /admin/stats >"$work/sim-stats.json"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  if [[ $(jq .final "$work/load.json") == 0 ]]; then
    echo "e2e_throughput: no lodgment reached a final state; the first errors:" >&2
    jq -r '.errors[:3][]' "$work/load.json" >&2
    echo "  kept: $work" >&2
    exit 1
  fi
  cpu_ms=$(awk -v a="$after" -v b="$before" -v n="$lodgments" 'BEGIN {printf "%.1f", (a - b) * 1000 / n}')
  rsa=$(awk -v c="$cpu_ms" -v s="$signs_per_second" 'BEGIN {printf "%.0f", c * s / 1000}')
  jq -r --arg round "$round" --arg daemon "$(basename "$SBRGATED")" --arg cpu "$cpu_ms" --arg rsa "$rsa" \
    --argjson early "$(jq .early_pulls "$work/sim-stats.json")" '
    "| \($round) | \($daemon) | \(.final)/\(.lodgments) | \(.seconds_to_last_final | . * 10 | round / 10) | \(.lodgments_per_second_to_final | round) | \(.lodgments_per_second_ingest | round) | \(.latency_seconds.upload_to_final.p50 | . * 100 | round / 100) / \(.latency_seconds.upload_to_final.p99 | . * 100 | round / 100) | \($cpu) | \($rsa) | \($early) | \(.final_states | to_entries | map("\(.key) \(.value)") | join(", ")) |"' \
    "$work/load.json"
  echo "$round $index $(jq .lodgments_per_second_to_final "$work/load.json") $cpu_ms" >>"$results"
  if ((keep)); then echo "  kept: $work" >&2; else rm -rf "$work"; fi
done
done
if [[ -n $reference ]]; then
  python3 - "$results" "$(basename "${daemons[0]}")" "$(basename "$reference")" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {i: {int(r[0]): (float(r[2]), float(r[3])) for r in rows if int(r[1]) == i} for i in (0, 1)}
pairs = sorted(set(by[0]) & set(by[1]))
for i, name in ((0, sys.argv[2]), (1, sys.argv[3])):
    rates = [by[i][p][0] for p in pairs]
    cpus = [by[i][p][1] for p in pairs]
    print(f"{name}: median {statistics.median(rates):.0f} lodgments/s, {statistics.median(cpus):.2f} ms CPU a lodgment")
ratios = [by[0][p][1] / by[1][p][1] for p in pairs]
fewer = sum(1 for r in ratios if r < 1)
print(f"CPU a lodgment, {sys.argv[2]} over {sys.argv[3]}, pair by pair: median {statistics.median(ratios):.3f}; "
      f"less in {fewer} of {len(pairs)} pairs")
PY
fi
rm -f "$results"
