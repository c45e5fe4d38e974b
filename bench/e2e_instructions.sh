#!/usr/bin/env bash
# Instructions the opt daemon executes per lodgment end to end (embedded
# default, simulator in the process, lodged by bench/lodging_load.cc as in
# e2e_throughput.sh), counted by callgrind on valgrind's virtual CPU: this
# tree's daemon and, with --reference, another build, one after the other.
# A CPU-time figure moves by a fifth with the host's load; this count moves
# by a percent or two, so a change of a few percent shows in one run. It
# reports; it never fails on the count.
#
#   bench/e2e_instructions.sh [--lodgments=200] [--employees=10] [--reference=PATH]
#
# Valgrind runs the daemon about 50 times slower and on a CPU without
# AVX-512, so three parts of the count are given apart from the rest:
#   RSA signing  xmlsec's RSA-2048 signatures (RSA_sign), which OpenSSL
#                computes on a slower path here than on the host;
#   handshakes   TLS handshakes and curl's loading of the client key for
#                each new connection: connections idle out at this speed
#                and are made again, which at full speed they are not;
#   sweeps       the client's ListLodgments sweeps, one every 100 ms of
#                wall time, so many more of them per lodgment here.
# "the rest" is everything else a lodgment costs: compare that column.
# --reference: another build of sbrgated-sandbox (a copy outside bazel-bin
# finds its schemas through SBRGATE_RESOURCES=<checkout>).
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"

lodgments=200 employees=10 reference=""
for arg in "$@"; do
  case $arg in
    --lodgments=*) lodgments=${arg#*=} ;;
    --employees=*) employees=${arg#*=} ;;
    --reference=*) reference=${arg#*=} ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e_instructions: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

"$ROOT/tools/setup" >/dev/null
for tool in valgrind callgrind_annotate callgrind_control jq; do
  command -v "$tool" >/dev/null || { echo "e2e_instructions: needs $tool (tools/setup installs it)" >&2; exit 1; }
done
daemons=("$(built_binary //services/sbrgated:sbrgated-sandbox)")
[[ -n $reference ]] && daemons+=("$reference")
LOAD=$(built_binary //bench:lodging_load)

# Inclusive instructions of the first function in `listing` matching `pattern`.
inclusive() { grep -m1 -E "$2" "$1" | awk '{gsub(",", "", $1); print $1}' || true; }

printf '| daemon | lodgments | million instructions a lodgment | RSA signing | handshakes | sweeps | the rest |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for daemon in "${daemons[@]}"; do
  [[ -x $daemon ]] || { echo "e2e_instructions: $daemon is not an executable" >&2; exit 2; }
  work=$(mktemp -d /tmp/sbrgate-instr.XXXXXX)
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" --dump-instr=no \
    "$daemon" --embedded-sim --data-dir="$work/data" --instance-id=bench \
    --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback --sim-admin-port=0 \
    --max-uploads-per-caller=16 --time-scale=600 --clock-epoch="$(date +%s)" \
    --sim-processing-base=30s --sim-processing-per-employee=0s >"$work/ready" 2>"$work/daemon.log" &
  pid=$!
  for _ in $(seq 1200); do [[ -s $work/ready ]] && break; sleep 0.1; done
  [[ -s $work/ready ]] || { echo "e2e_instructions: the daemon did not start; see $work/daemon.log" >&2; exit 1; }
  grpc=$(jq -r .grpc "$work/ready")
  # Warm up (first connections, caches, schemas), let it settle, then count.
  "$LOAD" --gateway="$grpc" --lodgments=20 --concurrency=16 --employees="$employees" --seed=7 >/dev/null
  sleep 2
  callgrind_control --zero "$pid" >/dev/null 2>&1
  "$LOAD" --gateway="$grpc" --lodgments="$lodgments" --concurrency=16 --employees="$employees" \
    --seed=1000000 >"$work/load.json"
  callgrind_control --dump "$pid" >/dev/null 2>&1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  listing="$work/inclusive.txt"
  callgrind_annotate --inclusive=yes "$work"/callgrind.*.1 >"$listing" 2>/dev/null
  total=$(inclusive "$listing" 'PROGRAM TOTALS')
  rsa=$(inclusive "$listing" '\?\?\?:RSA_sign ')
  tls=$(inclusive "$listing" '\?\?\?:SSL_do_handshake ')
  client_key=$(inclusive "$listing" '\?\?\?:SSL_CTX_use_PrivateKey_file ')
  sweeps=$(inclusive "$listing" 'LodgmentServiceImpl::ListLodgments\(')
  final=$(jq .final "$work/load.json")
  awk -v d="$(basename "$daemon")" -v f="$final" -v n="$lodgments" -v t="$total" -v r="${rsa:-0}" \
    -v h="$((${tls:-0} + ${client_key:-0}))" -v s="${sweeps:-0}" 'BEGIN {
      m = 1e6 * n
      printf "| %s | %d/%d | %.2f | %.2f | %.2f | %.2f | %.2f |\n", d, f, n, t/m, r/m, h/m, s/m, (t-r-h-s)/m
    }'
  rm -rf "$work"
done
