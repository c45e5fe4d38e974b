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
#                           [--daemon=PATH] [--daemon-cpus=LIST] [--client-cpus=LIST]
#
# --mode=kafka runs the same stages over librdkafka's mock cluster in the
# daemon's process (--embedded-kafka: the real protocol, transactions and
# consumer groups, in memory) instead of the durable local log.
# --daemon: another build of sbrgated-sandbox to run (a reference, e.g. an
# earlier commit's, for rounds alternated by hand); default: this tree's.
# A copy outside bazel-bin finds its schemas through SBRGATE_RESOURCES=<checkout>.
# --daemon-cpus, --client-cpus: the CPUs (taskset -c LIST) the daemon and the
# client may run on, e.g. 1 and 0 for the daemon's cost on one vCPU.
# --scale: clock seconds per real second. At 600 a ten-employee lodgment's
# first poll (1 min after its receipt) comes 0.1 s after it, and the
# simulator answers 30 clock seconds (0.05 s) after the push.
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"

lodgments=600 concurrency=16 employees=10 rounds=3 scale=600 mode=embedded keep=0 daemon=""
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
    --daemon-cpus=*) daemon_pin=(taskset -c "${arg#*=}") ;;
    --client-cpus=*) client_pin=(taskset -c "${arg#*=}") ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e_throughput: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

[[ $mode == embedded || $mode == kafka ]] || { echo "e2e_throughput: --mode is embedded or kafka" >&2; exit 2; }
log_flag=()
[[ $mode == kafka ]] && log_flag=(--embedded-kafka)

"$ROOT/tools/setup" >/dev/null
SBRGATED=${daemon:-$(built_binary //services/sbrgated:sbrgated-sandbox)}
[[ -x $SBRGATED ]] || { echo "e2e_throughput: $SBRGATED is not an executable" >&2; exit 2; }
LOAD=$(built_binary //bench:lodging_load)
command -v jq >/dev/null || { echo "e2e_throughput: needs jq (tools/setup installs it)" >&2; exit 1; }

# RSA-2048 signatures per second on this machine, now.
signs_per_second=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
ticks=$(getconf CLK_TCK)

# CPU seconds (user + system) of process PID so far.
cpu_seconds() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

echo "mode: $mode; RSA-2048: $signs_per_second signatures/s ($(awk -v s="$signs_per_second" 'BEGIN {printf "%.3f", 1000 / s}') ms each)"
printf '| round | lodgments | to final (s) | lodgments/s | ingest/s | p50 / p99 upload→final (s) | CPU ms/lodgment | in RSA signs | early pulls | final states |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
for round in $(seq "$rounds"); do
  work=$(mktemp -d /tmp/sbrgate-e2e.XXXXXX)
  "${daemon_pin[@]}" "$SBRGATED" --embedded-sim --data-dir="$work/data" --instance-id=bench \
    --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback --sim-admin-port=0 \
    --max-uploads-per-caller="$concurrency" "${log_flag[@]}" \
    --time-scale="$scale" --clock-epoch="$(date +%s)" --sim-processing-base=30s \
    --sim-processing-per-employee=0s >"$work/ready" 2>"$work/daemon.log" &
  daemon=$!
  for _ in $(seq 600); do [[ -s $work/ready ]] && break; sleep 0.1; done
  [[ -s $work/ready ]] || { echo "e2e_throughput: the daemon did not start; see $work/daemon.log" >&2; exit 1; }
  grpc=$(jq -r .grpc "$work/ready")
  sim_admin=$(jq -r .sim_admin "$work/ready")
  before=$(cpu_seconds "$daemon")
  "${client_pin[@]}" "$LOAD" --gateway="$grpc" --lodgments="$lodgments" --concurrency="$concurrency" \
    --employees="$employees" --seed=$((round * 1000000)) >"$work/load.json" || true
  after=$(cpu_seconds "$daemon")
  http_get "$sim_admin" /admin/stats >"$work/sim-stats.json"
  kill "$daemon"
  wait "$daemon" 2>/dev/null || true
  if [[ $(jq .final "$work/load.json") == 0 ]]; then
    echo "e2e_throughput: no lodgment reached a final state; the first errors:" >&2
    jq -r '.errors[:3][]' "$work/load.json" >&2
    echo "  kept: $work" >&2
    exit 1
  fi
  cpu_ms=$(awk -v a="$after" -v b="$before" -v n="$lodgments" 'BEGIN {printf "%.1f", (a - b) * 1000 / n}')
  rsa=$(awk -v c="$cpu_ms" -v s="$signs_per_second" 'BEGIN {printf "%.0f", c * s / 1000}')
  jq -r --arg round "$round" --arg cpu "$cpu_ms" --arg rsa "$rsa" \
    --argjson early "$(jq .early_pulls "$work/sim-stats.json")" '
    "| \($round) | \(.final)/\(.lodgments) | \(.seconds_to_last_final | . * 10 | round / 10) | \(.lodgments_per_second_to_final | round) | \(.lodgments_per_second_ingest | round) | \(.latency_seconds.upload_to_final.p50 | . * 100 | round / 100) / \(.latency_seconds.upload_to_final.p99 | . * 100 | round / 100) | \($cpu) | \($rsa) | \($early) | \(.final_states | to_entries | map("\(.key) \(.value)") | join(", ")) |"' \
    "$work/load.json"
  if ((keep)); then echo "  kept: $work" >&2; else rm -rf "$work"; fi
done
