#!/usr/bin/env bash
# Chaos run of the lodgment pipeline: lodges N pay events through the CLI
# while processes are SIGKILLed and restarted at random, then counts what
# went wrong. Target (README.md): lost, double-processed, stuck = 0, 0, 0.
# It reports; it never fails on time.
#
#   bench/chaos.sh [--mode=embedded|kafka] [--lodgments=2000] [--kill-every=3]
#                  [--concurrency=4] [--seed=1] [--settle=300]
#
#   embedded  the all-in-one sbrgated-sandbox (durable local log, simulator
#             in the same process) is killed and restarted on its data dir
#   kafka     kafka-host (the mock cluster, in memory: never killed), sbr-sim
#             (SBR: never killed), and gateway, submit, poll, triage and
#             resubmit as processes; a random one of those five is killed
#             and restarted
#
# A kill comes every --kill-every (whole) seconds (0.5x to 1.5x, seeded by --seed)
# until every pay event is lodged; the lodgers (--concurrency CLI loops) send
# again whatever a dead or restarting process did not answer. Then the run
# waits up to --settle seconds for every lodgment to reach a final state.
#
#   lost    pay events never acknowledged, and acknowledged lodgments the
#           gateway does not know at the end
#   double  pay events SBR processed more than once: extra lodgments for one
#           file (a resubmission not deduplicated), SBR messages no lodgment
#           owns, and messages processed twice (restarts of the simulator's
#           own processing, interrupted_count, excepted)
#   stuck   lodgments not in a final state when the run ends
set -euo pipefail
source "$(dirname "$0")/../tools/lib.sh"

mode=embedded lodgments=2000 kill_every=3 concurrency=4 seed=1 settle=300
for arg in "$@"; do
  case $arg in
    --mode=*) mode=${arg#*=} ;;
    --lodgments=*) lodgments=${arg#*=} ;;
    --kill-every=*) kill_every=${arg#*=} ;;
    --concurrency=*) concurrency=${arg#*=} ;;
    --seed=*) seed=${arg#*=} ;;
    --settle=*) settle=${arg#*=} ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
[[ $mode == embedded || $mode == kafka ]] || { echo "chaos: --mode is embedded or kafka" >&2; exit 2; }

# 1 s = 1 min: a lodgment is polled 1 s after its receipt, then 1 s later,
# then every 5 s; SBR answers 90 simulated seconds after the push, so each
# lodgment is in flight for a few seconds and kills land on all its stages.
scale=60 processing=90s

"$ROOT/tools/setup"
SBRGATE=$(built_binary //services/cli:sbrgate)
if [[ $mode == embedded ]]; then
  SBRGATED=$(built_binary //services/sbrgated:sbrgated-sandbox)
else
  KAFKA_HOST=$(built_binary //services/kafka-host)
  SBR_SIM=$(built_binary //services/sbr-sim)
  declare -A STAGE_BIN
  for s in gateway submit poll triage resubmit; do STAGE_BIN[$s]=$(built_binary "//services/$s"); done
fi

work=$(mktemp -d /tmp/sbrgate-chaos.XXXXXX)
declare -A pid=()   # process name -> pid of the running one
lodger_pids=()
cleanup() {
  for p in "${lodger_pids[@]}" "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
RANDOM=$seed
epoch=$(date +%s)

# Waits until FILE has a line (a process's ready line), at most 60 s.
await_line() {
  for _ in $(seq 600); do [[ -s $1 ]] && return 0; sleep 0.1; done
  echo "chaos: nothing in $1 after 60 s; see $work/*.log" >&2
  return 1
}

# start NAME: starts the process NAME (embedded: "sbrgated") and waits for
# its ready line. The first start of a process that listens picks a free
# port; later starts take the same one, so clients keep their address.
grpc_listen=127.0.0.1:0 sim_admin_port=0
start() {
  local name=$1 out="$work/$1.out"
  rm -f "$out"
  case $name in
    sbrgated)
      "$SBRGATED" --embedded-sim --data-dir="$work/data" --instance-id=chaos \
        --grpc-listen="$grpc_listen" --grpc-insecure-loopback --sim-admin-port="$sim_admin_port" \
        --time-scale=$scale --clock-epoch="$epoch" --sim-processing-base=$processing \
        --sim-processing-per-employee=0s >"$out" 2>>"$work/$name.log" &
      ;;
    kafka-host)
      "$KAFKA_HOST" --kafka-config-out="$work/kafka.properties" >"$out" 2>>"$work/$name.log" &
      ;;
    sbr-sim)
      "$SBR_SIM" --cert="$work/pki/sim.pem" --key="$work/pki/sim.key" --client-ca="$work/pki/ca.pem" \
        --data-dir="$work/sim" --time-scale=$scale --clock-epoch="$epoch" \
        --processing-base=$processing --processing-per-employee=0s >"$out" 2>>"$work/$name.log" &
      ;;
    *)
      local extra=()
      case $name in
        gateway) extra=(--grpc-listen="$grpc_listen" --grpc-insecure-loopback) ;;
        submit | poll) extra=(--sbr-endpoint="$endpoint" --cert="$work/pki/dsp.pem"
                              --key="$work/pki/dsp.key" --ca="$work/pki/ca.pem") ;;
      esac
      "${STAGE_BIN[$name]}" "${extra[@]}" --kafka-config="$work/kafka.properties" \
        --kafka-brokers="$bootstrap" --data-dir="$work/data" --instance-id=chaos \
        --time-scale=$scale --clock-epoch="$epoch" >"$out" 2>>"$work/$name.log" &
      ;;
  esac
  pid[$name]=$!
  await_line "$out"
  local ready
  ready=$(head -1 "$out")
  if [[ $name == sbrgated || $name == gateway ]] && [[ $grpc_listen == *:0 ]]; then
    grpc_listen=$(jq -r .grpc <<<"$ready")
  fi
  if [[ $name == sbrgated && $sim_admin_port == 0 ]]; then
    sim_admin=$(jq -r .sim_admin <<<"$ready")
    sim_admin_port=${sim_admin##*:}
  fi
  if [[ $name == sbr-sim ]]; then
    endpoint=$(jq -r .endpoint <<<"$ready")
    sim_admin=$(jq -r .admin <<<"$ready")
  fi
  if [[ $name == kafka-host ]]; then bootstrap=$(jq -r .bootstrap <<<"$ready"); fi
  return 0
}

echo "== generating $lodgments pay events (1 to 5 employees each)"
mkdir -p "$work/pay"
seq 0 $((lodgments - 1)) | xargs -P 2 -I{} sh -c \
  "\"$SBRGATE\" payevnt generate --employees \$(( {} % 5 + 1 )) --seed \$(( $seed * 100000 + {} )) \
     -o \"$work/pay/{}.xml\" >/dev/null"

echo "== starting ($mode)"
if [[ $mode == embedded ]]; then
  victims=(sbrgated)
  start sbrgated
else
  victims=(gateway submit poll triage resubmit)
  "$ROOT/tools/dev-pki" "$work/pki" >/dev/null
  start kafka-host
  start sbr-sim
  for s in "${victims[@]}"; do start "$s"; done
fi
echo "   gRPC $grpc_listen, SBR admin $sim_admin, work dir $work"

# lodger W: lodges pay events W, W+C, W+2C, ... and appends "I ID" (or
# "I ERROR ...") to lodged.W, sending a pay event again for as long as the
# answer says nobody was there to give one; counts those in retries.W.
lodger() {
  local w=$1 retries=0 i out code
  for ((i = w; i < lodgments; i += concurrency)); do
    for ((;;)); do
      out=$("$SBRGATE" --gateway="$grpc_listen" lodge "$work/pay/$i.xml" --json 2>&1) || true
      if id=$(jq -er '.lodgment_id' <<<"$out" 2>/dev/null); then
        echo "$i $id" >>"$work/lodged.$w"
        break
      fi
      code=$(jq -r '.error.code // "?"' <<<"$out" 2>/dev/null || echo "?")
      case $code in
        UNAVAILABLE | DEADLINE_EXCEEDED | ABORTED | CANCELLED) retries=$((retries + 1)); sleep 0.2 ;;
        *) echo "$i ERROR $out" >>"$work/lodged.$w"; break ;;
      esac
    done
  done
  echo $retries >"$work/retries.$w"
}

echo "== lodging, a SIGKILL every ${kill_every}s on average"
start_time=$(date +%s.%N)
for ((w = 0; w < concurrency; w++)); do
  lodger $w &
  lodger_pids+=($!)
done
declare -A kills=()
lodging() { for p in "${lodger_pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while lodging; do
  # 0.5x to 1.5x the mean, in tenths of a second.
  nap=$((kill_every * 5 + RANDOM % (kill_every * 10 + 1)))
  for ((t = 0; t < nap; t++)); do lodging || break; sleep 0.1; done
  lodging || break
  victim=${victims[RANDOM % ${#victims[@]}]}
  kill -9 "${pid[$victim]}"
  wait "${pid[$victim]}" 2>/dev/null || true
  kills[$victim]=$((${kills[$victim]:-0} + 1))
  start "$victim"
done
wait "${lodger_pids[@]}"
lodged_time=$(date +%s.%N)

# Every lodgment the gateway knows, one JSON object a line.
list_all() {
  local token="" out
  : >"$work/all.jsonl"
  for ((;;)); do
    out=$("$SBRGATE" --gateway="$grpc_listen" list --page-size=1000 ${token:+--page-token=$token} \
      --json) || return 1
    jq -c '.lodgments[] | {id: .lodgment_id, state, message_id}' <<<"$out" >>"$work/all.jsonl"
    token=$(jq -r .next_page_token <<<"$out")
    [[ -n $token ]] || return 0
  done
}
final='ACCEPTED|PARTIALLY_ACCEPTED|REJECTED|SYSTEM_ERROR|ESCALATED|SUPERSEDED|REFUSED'
echo "== waiting up to ${settle}s for every lodgment to be final"
deadline=$(($(date +%s) + settle))
while :; do
  if list_all; then
    pending=$(jq -r .state "$work/all.jsonl" | grep -cvE "^($final)\$" || true)
    ((pending == 0)) && break
  fi
  (($(date +%s) < deadline)) || break
  sleep 2
done
end_time=$(date +%s.%N)

cat "$work"/lodged.* | sort -n >"$work/lodged.txt"
acked=$(grep -cv ' ERROR ' "$work/lodged.txt" || true)
errors=$(grep -c ' ERROR ' "$work/lodged.txt" || true)
retries=$(cat "$work"/retries.* | awk '{s += $1} END {print s + 0}')
awk '$2 != "ERROR" {print $2}' "$work/lodged.txt" | sort >"$work/acked.ids"
jq -r .id "$work/all.jsonl" | sort >"$work/known.ids"
unknown=$(comm -23 "$work/acked.ids" "$work/known.ids" | wc -l)
extra_lodgments=$(comm -13 "$work/acked.ids" "$work/known.ids" | wc -l)
stuck=$(jq -r .state "$work/all.jsonl" | grep -cvE "^($final)\$" || true)
states=$(jq -r .state "$work/all.jsonl" | sort | uniq -c | awk '{printf "%s %d, ", $2, $1}')

http_get "$sim_admin" /admin/stats >"$work/sim-stats.json"
jq -r .message_id "$work/all.jsonl" | sort >"$work/lodgment.messages"
jq -r '.messages[].message_id' "$work/sim-stats.json" | sort >"$work/sim.messages"
orphan_messages=$(comm -13 "$work/lodgment.messages" "$work/sim.messages" | wc -l)
reprocessed=$(jq '[.messages[] | select(.process_count - .interrupted_count > 1)] | length' \
  "$work/sim-stats.json")
interrupted=$(jq '[.messages[].interrupted_count] | add // 0' "$work/sim-stats.json")
lost=$((lodgments - acked + unknown))
double=$((extra_lodgments + orphan_messages + reprocessed))
kill_list=$(for k in "${!kills[@]}"; do printf '%s %d, ' "$k" "${kills[$k]}"; done)

awk -v m="$mode" -v n="$lodgments" -v t0="$start_time" -v t1="$lodged_time" -v t2="$end_time" \
  'BEGIN { printf "mode %s: %d pay events lodged in %.1f s (%.1f/s), all settled %.1f s later\n",
           m, n, t1 - t0, n / (t1 - t0), t2 - t1 }'
echo "kills: ${kill_list%, }; lodges sent again after no answer: $retries"
echo "states: ${states%, }"
echo "SBR: $(jq -r '"\(.messages | length) messages, \(.pushes) pushes, \(.duplicate_pushes) duplicates, \(.pulls) pulls, \(.early_pulls) early"' "$work/sim-stats.json"), $interrupted processing starts cut short by the simulator's kill"
echo "lost $lost (never acknowledged $((lodgments - acked)), of them refused $errors; acknowledged then unknown $unknown)"
echo "double-processed $double (extra lodgments $extra_lodgments, SBR messages no lodgment owns $orphan_messages, processed twice $reprocessed)"
echo "stuck $stuck"
echo "RESULT lost/double/stuck = $lost/$double/$stuck (target 0/0/0); work dir $work"
