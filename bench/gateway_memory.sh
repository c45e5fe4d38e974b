#!/usr/bin/env bash
# Peak memory of the gateway process while a large pay event streams through
# `sbrgate lodge`: a standalone broker host and the gateway as its own
# process, the upload from the CLI, VmHWM read from /proc.
#
# Target (README.md): under 256 MiB for 200,000 employees.
#   bench/gateway_memory.sh [EMPLOYEES]
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"
employees=${1:-200000}
"$ROOT/tools/setup"
run_bazel build -c opt --ui_event_filters=-info,-stdout --noshow_progress \
  //services/cli:sbrgate //services/gateway //services/kafka-host >&2
bin=$(cd "$ROOT" && bazel ${BAZEL_STARTUP_OPTS:-} info -c opt bazel-bin 2>/dev/null)
work=$(mktemp -d /tmp/sbrgate-gwmem.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$bin/services/cli/sbrgate" payevnt generate --employees "$employees" --invalid 10 --seed 9 \
  -o "$work/big.xml" >/dev/null
size=$(du -m "$work/big.xml" | cut -f1)

"$bin/services/kafka-host/kafka-host" --kafka-config-out="$work/kafka.properties" \
  --ready-file="$work/kafka.json" >/dev/null 2>"$work/kafka.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/kafka.json ]] && break; sleep 0.1; done
bootstrap=$(sed -E 's/.*"bootstrap": "([^"]+)".*/\1/' "$work/kafka.json")

"$bin/services/gateway/gateway" --kafka-config="$work/kafka.properties" --kafka-brokers="$bootstrap" \
  --data-dir="$work/data" --instance-id=bench --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback \
  >"$work/gateway.out" 2>"$work/gateway.log" &
gateway=$!
pids+=($gateway)
for _ in $(seq 300); do [[ -s $work/gateway.out ]] && break; sleep 0.1; done
grpc=$(sed -E 's/.*"grpc": "([^"]+)".*/\1/' "$work/gateway.out")

start=$(date +%s.%N)
"$bin/services/cli/sbrgate" --gateway="$grpc" lodge "$work/big.xml" --json
end=$(date +%s.%N)
hwm=$(grep VmHWM "/proc/$gateway/status" | awk '{print $2}')
awk -v e="$employees" -v s="$size" -v t0="$start" -v t1="$end" -v h="$hwm" 'BEGIN {
  printf "employees %d, file %d MiB, lodge took %.1f s, gateway peak RSS %.1f MiB (target < 256)\n",
         e, s, t1 - t0, h / 1024 }'
