#!/usr/bin/env bash
# Three Switchboard instances behind Kamailio (deploy/kamailio/kamailio.cfg: the dispatcher,
# round robin, OPTIONS probes every 2 s, the next instance on a 5xx or a 2 s silence), one
# PostgreSQL for their escalations, in a network namespace of the test's own: Kamailio on
# 127.0.0.1:5060, the instances on 127.0.0.11-13 (each with its API on port 8080 and its
# witness log in the database), the callee (sipp, also expert alice's phone) on 127.0.0.100.
# Each instance holds one answered escalation; then sipp calls through Kamailio at 15 calls a
# second, each held 1 s, for 24 s (issue 19). Six seconds in, instance 2 is killed (SIGKILL);
# five seconds later it is started again; two seconds after that PostgreSQL is restarted, and
# two seconds later Kamailio.
#   - The calls it held then fail (their BYE finds nobody); the new calls Kamailio gave it
#     before its probes took it out go on to the next instance after the 2 s silence: so few
#     calls fail, and none after the kill's first seconds.
#   - Kamailio marks it down within a probe interval and the INVITE timer (≤ 5 s), and up
#     again within a probe interval of its restart; it takes calls again.
#   - Its escalation is reported failed, naming it, by another instance, and rung again there.
#   - PostgreSQL's and Kamailio's restarts lose no call beyond those (the bound below holds
#     all), the instances reconnect (an escalation is taken afterwards), and no witness entry
#     acknowledged before is lost: each instance's log, instance 2's too, verifies against
#     the head it signed before the kill.
# Reported: calls made, failed, the seconds to mark it down and to take it back, and to report
# its escalation.
set -euo pipefail
if [ -z "${SB_CLUSTER_NAMESPACE:-}" ]; then
  exec env SB_CLUSTER_NAMESPACE=1 unshare --net --fork bash "$0" "$@"
fi
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(cd "$here/../../deploy" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/postgres_lib.sh"
instance_pids=()
cleanup() {
  set +e
  for pid in "${instance_pids[@]}"; do kill -INT "$pid" 2>/dev/null; done
  for pid in "${instance_pids[@]}"; do wait "$pid" 2>/dev/null; done
  pg_cleanup
  stop_all
}
on_exit cleanup
ip link set lo up
for n in 11 12 13 100; do ip addr add "127.0.0.$n/8" dev lo 2>/dev/null || true; done
agent=/usr/bin/python3
pg_init
agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "alice", "sipUri": "sip:alice@127.0.0.100:5090", "skills": ["tax"], "maxConcurrent": 10}]
JSON

cat > "$work/dispatcher.list" <<LIST
1 sip:127.0.0.11:5070 0 0
1 sip:127.0.0.12:5070 0 0
1 sip:127.0.0.13:5070 0 0
LIST
start_instance() { # N: instance N (1-3) on 127.0.0.1N:5070
  local dir=$work/instance-$1
  mkdir -p "$dir"
  cat > "$dir/switchboard.toml" <<TOML
data_dir = "$dir/var"
[[sip.listen]]
transport = "udp"
address = "127.0.0.1$1"
port = 5070
[media]
address = "127.0.0.1$1"
port_min = 20000
port_max = 21999
[api]
enabled = true
address = "127.0.0.1$1"
port = 8080
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
[escalations]
storage = "$pg_url"
instance = "sb-$1"
policy = "$work/policy.toml"
experts = "$work/experts.json"
[h323]
enabled = false
[[routes]]
target = "sip:\${user}@127.0.0.100:5090"
TOML
  timeout -k 3 100 "$switchboard" serve --config "$dir/switchboard.toml" >>"$dir/server.log" 2>&1 &
  instance_pids[$1]=$!
  for _ in $(seq 100); do
    ss -Hlun "src 127.0.0.1$1:5070" | grep -q . && return 0
    sleep 0.05
  done
  fail_with "instance $1 did not start: $(tail -3 "$dir/server.log")"
}
for n in 1 2 3; do start_instance "$n"; done

timeout -k 3 100 sipp -sn uas -i 127.0.0.100 -p 5090 -nostdin >"$work/callee.out" 2>&1 &
background_pids+=($!)
mkdir -p "$work/kamailio"
start_kamailio() {
  timeout -k 3 100 kamailio -DD -E -f "$deploy/kamailio/kamailio.cfg" -Y "$work/kamailio" \
    -A "DISPATCHER_LIST=\"$work/dispatcher.list\"" >>"$work/kamailio.log" 2>&1 &
  kamailio_pid=$!
  background_pids+=("$kamailio_pid")
  wait_listening udp 5060 || fail_with "Kamailio did not start: $(tail -5 "$work/kamailio.log")"
}
start_kamailio
wait_listening udp 5090 || fail_with "sipp (the callee) did not start"
sleep 2.5 # a first round of probes
check "three instances on one PostgreSQL, Kamailio's dispatcher in front, a sipp callee"

api() { echo "http://127.0.0.1$1:8080"; }
auth=(-H 'Authorization: Bearer token-a' -H 'Content-Type: application/json')
escalate_on() { # N: an escalation on instance N, its id
  curl -s "${auth[@]}" -d '{"id":"m-1","performative":"escalate","sender":"agent-a","payload":{"topic":"tax","expert":"alice","reason":"VAT"}}' \
    "$(api "$1")/v1/escalations" | $agent -c 'import json,sys; print(json.load(sys.stdin)["payload"]["escalation"])'
}
record_on() { # N ID EXPR
  curl -s "${auth[@]}" "$(api "$1")/v1/escalations/$2" |
    $agent -c "import json,sys; d=json.load(sys.stdin); print($3)"
}
wait_answered() { # N ID
  for _ in $(seq 100); do [ "$(record_on "$1" "$2" "d['state']")" = answered ] && return 0; sleep 0.1; done
  fail_with "escalation $2 on instance $1 is $(record_on "$1" "$2" "d['state']")"
}
witness_of() { "$switchboard" witness "$@" --token token-a --agent agent-a; }
declare -A held
for n in 1 2 3; do
  held[$n]=$(escalate_on "$n") || fail_with "instance $n took no escalation"
  wait_answered "$n" "${held[$n]}"
  witness_of head --url "$(api "$n")" >"$work/head-$n.json" || fail_with "instance $n signed no head"
done
check "each instance holds an answered escalation (${held[*]}) and signed a head of its witness log"

began=$(date +%s.%N)
timeout -k 3 80 sipp -sn uac 127.0.0.1:5060 -s bob -i 127.0.0.1 -p 5080 -r 15 -m 360 -d 1000 \
  -l 360 -nostdin -timeout 60s -default_behaviors all,-abortunexp >"$work/caller.out" 2>&1 &
caller=$!
sleep 6
killed_at=$(date +%s.%N)
kill -KILL "$(pgrep -f "serve --config $work/instance-2/" | tail -n 1)"
wait "${instance_pids[2]}" 2>/dev/null || true
sleep 5
restarted_at=$(date +%s.%N)
start_instance 2
sleep 2
pg_stop fast # (its sessions end: the instances reconnect when it is back)
pg_start
sleep 2
# Kamailio itself restarted: sipp's retransmissions (T1, 500 ms) carry its requests across the
# gap; the dialogs' Record-Route needs no state of Kamailio's.
stop_pid "$kamailio_pid"
start_kamailio
wait "$caller" || true # failed calls make sipp exit 1: counted below

cumulative() { grep -E "$1" "$work/caller.out" | tail -n 1 | awk -F'|' '{gsub(/ /, "", $3); print $3}'; }
ok=$(cumulative '^ *Successful call')
failed=$(cumulative '^ *Failed call')
[ -n "$ok" ] && [ -n "$failed" ] || fail_with "no figures from sipp: $(tail -20 "$work/caller.out")"
echo "calls: $ok successful, $failed failed of 360"
marked() { # down|up: when Kamailio logged instance 2 so (its xlog gives the time)
  grep -o "instance sip:127.0.0.12:5070 is $1 at [0-9.]*" "$work/kamailio.log" | tail -n 1 |
    awk '{print $NF}'
}
down=$(marked down)
up=$(marked up)
[ -n "$down" ] || fail_with "Kamailio never marked instance 2 down"
[ -n "$up" ] || fail_with "Kamailio never took instance 2 back"
down_after=$(python3 -c "print(round($down - $killed_at, 1))")
up_after=$(python3 -c "print(round($up - $restarted_at, 1))")
echo "Kamailio marked instance 2 down $down_after s after the kill, up $up_after s after its restart"
python3 -c "import sys; sys.exit(0 if 0 < $down_after <= 5 and 0 < $up_after <= 5 else 1)" ||
  fail_with "instance 2 marked down after $down_after s, up after $up_after s (5 s allowed)"
[ $((ok + failed)) -eq 360 ] || fail_with "sipp made $((ok + failed)) calls, not 360"
# At most the calls instance 2 held when it died (15 a second, each 1 s: a third of 15, and
# those whose INVITE or BYE was in flight), with a margin for a busy machine.
[ "$failed" -le 15 ] || fail_with "$failed calls failed"
echo "answered by instance 1, 2 (both its lives), 3: $(for n in 1 2 3; do
  grep -c "answered: " "$work/instance-$n/server.log" || true; done | tr '\n' ' ')"
python3 - "$work/instance-2/server.log" "$restarted_at" <<'PY' || fail_with "instance 2 took no call after its restart"
import datetime, sys
restarted = float(sys.argv[2])
for line in open(sys.argv[1]):
    if "answered: " in line:
        at = datetime.datetime.fromisoformat(line.split()[0]).timestamp()
        if at > restarted:
            sys.exit(0)
sys.exit(1)
PY
check "instance 2 killed mid-load, then Kamailio restarted: $failed of 360 calls failed; out in $down_after s, back $up_after s after its restart"

failed_at=$(grep -h "escalation ${held[2]} failed: instance sb-2 stopped" "$work"/instance-[13]/server.log |
  awk '{print $1}' | head -n 1)
[ -n "$failed_at" ] || fail_with "no instance reported instance 2's escalation failed"
reported_after=$($agent -c "import datetime; print(round(datetime.datetime.fromisoformat('$failed_at').timestamp() - $killed_at, 1))")
rerung=$(record_on 1 "${held[2]}" "d.get('rerung_as', '')")
[ -n "$rerung" ] || fail_with "instance 2's escalation was not rung again: $(record_on 1 "${held[2]}" "d")"
owner=$(record_on 1 "$rerung" "d['instance']")
wait_answered "${owner#sb-}" "$rerung"
check "instance 2's escalation ${held[2]} reported failed $reported_after s after the kill ($(record_on 3 "${held[2]}" "d['reason']")), rung again as $rerung on $owner, answered"

after=$(escalate_on 3) || fail_with "no escalation after PostgreSQL's restart"
wait_answered 3 "$after"
for n in 1 2 3; do
  witness_of verify --url "$(api "$n")" --since "$work/head-$n.json" --quiet >"$work/verify-$n.out" 2>&1 ||
    fail_with "instance $n's witness log does not hold since its head: $(cat "$work/verify-$n.out")"
done
check "after PostgreSQL's restart: escalation $after taken; every instance's witness log holds what it signed before ($(tail -n 1 "$work/verify-2.out"))"
