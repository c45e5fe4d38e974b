#!/usr/bin/env bash
# The ingest path a payroll provider waits for, against `xmllint --stream
# --noout` on the same file in the same run: `sbrgate lodge FILE` over gRPC
# into the opt daemon (embedded default: the gateway's validation, spool,
# payload and sent-records blobs, the log commit, the status view), from
# the first byte to the lodgment id, a generated pay event of EMPLOYEES
# employees. Rounds alternate the two; the table gives each round, the
# medians and their ratio (xmllint's time over sbrgate's: the share of
# xmllint's throughput sbrgate reaches), and the daemon's peak RSS. A third
# column times `xmllint --stream --noout --schema` with the PAYEVNT and
# PAYEVNTEMP schemas (a wrapper schema that validates each document against
# its own): libxml2's parse plus schema validation on one thread, the work
# sbrgate cannot do without, for scale. It reports; it never fails on time.
#
#   bench/ingest_real_path.sh [--employees=200000] [--rounds=3] [--daemon=PATH]
#
# --daemon: another build of sbrgated-sandbox to run (a reference, e.g. an
# earlier commit's, for runs alternated by hand); default: this tree's.
# A copy outside bazel-bin finds its schemas through SBRGATE_RESOURCES=<checkout>.
#
# Each round lodges a pay event of its own (an identical one would be the
# same lodgment, answered at once), and waits for the daemon to go idle
# (its push to the simulator in the same process) before the next.
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"

employees=200000 rounds=3 daemon_path=""
for arg in "$@"; do
  case $arg in
    --employees=*) employees=${arg#*=} ;;
    --rounds=*) rounds=${arg#*=} ;;
    --daemon=*) daemon_path=${arg#*=} ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ingest_real_path: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

"$ROOT/tools/setup" >/dev/null
SBRGATE=$(built_binary //services/cli:sbrgate)
SBRGATED=${daemon_path:-$(built_binary //services/sbrgated:sbrgated-sandbox)}
[[ -x $SBRGATED ]] || { echo "ingest_real_path: $SBRGATED is not an executable" >&2; exit 2; }
command -v xmllint >/dev/null || { echo "ingest_real_path: needs xmllint (libxml2-utils)" >&2; exit 1; }

work=$(mktemp -d /tmp/sbrgate-ingest.XXXXXX)
daemon=""
cleanup() {
  [[ -n $daemon ]] && kill "$daemon" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for round in $(seq "$rounds"); do
  "$SBRGATE" payevnt generate --employees "$employees" --seed "$round" -o "$work/pay-$round.xml" >/dev/null
done
mib=$(awk -v b="$(stat -c %s "$work/pay-1.xml")" 'BEGIN {printf "%.0f", b / 1048576}')
schemas="$ROOT/pipeline/stp/payevnt/schemas"
cat >"$work/lodgment.xsd" <<XSD
<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://sbrgate.dev/ns/lodgment" elementFormDefault="qualified">
  <xs:import namespace="http://www.sbr.gov.au/ato/payevnt" schemaLocation="$schemas/payevnt.xsd"/>
  <xs:import namespace="http://www.sbr.gov.au/ato/payevntemp" schemaLocation="$schemas/payevntemp.xsd"/>
  <xs:element name="PayEventLodgment"><xs:complexType><xs:sequence>
    <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
XSD

"$SBRGATED" --embedded-sim --data-dir="$work/data" --instance-id=bench \
  --grpc-listen=127.0.0.1:0 --grpc-insecure-loopback --sim-admin-port=0 \
  --max-employees="$employees" --max-upload-bytes=$((2 << 30)) \
  --sim-processing-base=1h >"$work/ready" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 600); do [[ -s $work/ready ]] && break; sleep 0.1; done
[[ -s $work/ready ]] || { echo "ingest_real_path: the daemon did not start; see $work/daemon.log" >&2; exit 1; }
grpc=$(jq -r .grpc "$work/ready")

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null || return 1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}'; }
# Waits until the daemon used under 5% of a core over a second.
await_idle() {
  local before after
  for _ in $(seq 300); do
    before=$(awk '{print $14 + $15}' "/proc/$daemon/stat"); sleep 1
    after=$(awk '{print $14 + $15}' "/proc/$daemon/stat")
    (( after - before < $(getconf CLK_TCK) / 20 )) && return 0
  done
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "file: $employees employees, $mib MiB"
printf '| round | xmllint --stream --noout (s) | sbrgate lodge (s) | ratio | xmllint --stream --schema (s) |\n| --- | --- | --- | --- | --- |\n'
: >"$work/x" ; : >"$work/s" ; : >"$work/v"
for round in $(seq "$rounds"); do
  await_idle
  x=$(seconds xmllint --stream --noout "$work/pay-$round.xml")
  s=$(seconds "$SBRGATE" --gateway="$grpc" lodge "$work/pay-$round.xml" --json) || {
    echo "ingest_real_path: the lodge failed (its error is above); the daemon's log:" >&2
    tail -5 "$work/daemon.log" >&2
    exit 1
  }
  await_idle
  v=$(seconds xmllint --stream --noout --schema "$work/lodgment.xsd" "$work/pay-$round.xml" 2>/dev/null)
  echo "$x" >>"$work/x"; echo "$s" >>"$work/s"; echo "$v" >>"$work/v"
  printf '| %s | %s | %s | %.2f | %s |\n' "$round" "$x" "$s" "$(awk -v x="$x" -v s="$s" 'BEGIN {print x / s}')" "$v"
done
xm=$(median <"$work/x") sm=$(median <"$work/s") vm=$(median <"$work/v")
hwm=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$daemon/status")
printf '| median | %s | %s | %.2f | %s |\n' "$xm" "$sm" "$(awk -v x="$xm" -v s="$sm" 'BEGIN {print x / s}')" "$vm"
echo "daemon peak RSS: $hwm MiB (target < 256); ratio target >= 0.5 (moonshot 0.8)"
