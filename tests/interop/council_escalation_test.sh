#!/usr/bin/env bash
# An escalation whose expert is rung into a council. The council "guardians" is the room that
# H.323 calls join ([h323] conference). The agent escalates to bob (a sipp phone that sends
# back what it hears, -rtp_echo) naming the council; once bob answers, the escalation's room is
# linked into the council's. The scripted H.323 peer (h323_peer.erl) then calls in: its tone
# crosses the council, the link and the escalation's room to bob, and bob's echo comes back
# the same way, so the peer must hear its own tone. Then two peers call in at once: with the
# link, three are mixed, and the mixer's active talker reaches the agent. The agent's event
# stream hears the peers join and leave the council, the witness holds those changes under
# the escalation's trace, and when the agent hangs up, the link leaves and nothing is left:
# no call, no room.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/h323_lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all
agent=/usr/bin/python3 # Debian's, with python3-websockets

build_h323_peer || fail_with "the H.323 peer did not build"
sip_port=$(free_port 41000)
api_port=$(free_port 43000)
bob_port=$(free_port 45000)
h323_port=$(free_port 46000)
media_base=$(( $(free_port 55000) / 2 * 2 ))

cat > "$work/policy.toml" <<TOML
[[rules]]
id = "agent-a-to-bob"
effect = "allow"
agents = ["agent-a"]
experts = ["bob"]
reason = "Agent A may call Bob."
TOML
cat > "$work/experts.json" <<JSON
[{"id": "bob", "sipUri": "sip:bob@127.0.0.1:$bob_port", "skills": ["tax"], "maxConcurrent": 1}]
JSON
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 10
[h323]
enabled = true
port = $h323_port
ras_port = 0
conference = "guardians"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"
cli() { "$switchboard" "$@" --url "$base" --token token-a --agent agent-a; }
cli witness key > "$work/witness.pem" || fail_with "no public key"

timeout -k 3 40 sipp -sf "$here/scenarios/expert_answers_uas.xml" -i 127.0.0.1 -p "$bob_port" \
  -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 -nostdin -timeout 30s -trace_msg \
  -message_file "$work/bob.msg" > "$work/bob.out" 2>&1 &
bob_pid=$!
background_pids+=($bob_pid)
wait_listening udp "$bob_port" || fail_with "bob's phone did not start"
$agent "$here/escalation_agent.py" events "ws://127.0.0.1:$api_port/v1/events?access_token=token-a" \
  "$work/events.jsonl" 6 > "$work/events.out" 2>&1 &
events_pid=$!
background_pids+=($events_pid)
for _ in $(seq 100); do
  grep -q subscribed "$work/events.out" 2>/dev/null && break
  sleep 0.05
done

trace=8c1f0a3e5d7b4c2a9e6f1d0b3a5c7e9f
cli escalate --topic tax-question --skill tax --expert bob --reason "the council asks" \
  --council guardians --trace-id "$trace" > "$work/escalate.json" ||
  fail_with "escalate: $(cat "$work/escalate.json")"
id=$($agent -c "import json; print(json.load(open('$work/escalate.json'))['payload']['escalation'])")
escalation() {
  curl -s -H 'Authorization: Bearer token-a' "$base/v1/escalations/$id" | $agent -c "$1"
}
for _ in $(seq 100); do
  linked=$(escalation 'import json,sys; print(json.load(sys.stdin).get("council", {}).get("state"))')
  [ "$linked" = connected ] && break
  sleep 0.05
done
[ "$linked" = connected ] || fail_with "the escalation's room is not linked into the council: $linked"
check "bob answered escalation $id, whose room is linked into the council guardians"

h323_peer call-in-audio "$h323_port" peer || true
grep -q '^ok its own tone heard back$' "$work/peer.out" ||
  fail_with "the H.323 member did not hear its tone back through bob: $(cat "$work/peer.out")"
check "an H.323 member of the council hears its tone come back from the expert, through the link"

h323_peer call-in-audio "$h323_port" second &
second=$!
h323_peer call-in-audio "$h323_port" third || true
wait "$second" || true
grep -q '^done$' "$work/second.out" && grep -q '^done$' "$work/third.out" ||
  fail_with "two members at once: $(cat "$work/second.out" "$work/third.out")"
check "two H.323 members in the council at once with the expert's link: three mixed"

[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer token-a' \
  "$base/v1/escalations/$id")" = 200 ] || fail_with "the hang-up failed"
wait "$bob_pid" || fail_with "bob's phone failed: $(tail -5 "$work/bob.out")"
wait "$events_pid" || fail_with "the event stream failed: $(cat "$work/events.out")"
background_pids=()
sequence=$($agent -c "
import json
for line in open('$work/events.jsonl'):
    p = json.loads(line)['payload']
    if p.get('escalation') == '$id': print(p.get('event', ''), end=' ')
")
[[ "$sequence" == *"council_member_joined "*"council_member_left "*"council_active_talker "*"ended "* ]] ||
  fail_with "events: '$sequence', expected council_member_joined, council_member_left, council_active_talker, ended"
check "the agent hears H.323 members join and leave the council, and its active talker: $sequence"

cli witness verify --key "$work/witness.pem" --trace "$trace" > "$work/verify.out" ||
  fail_with "witness verify: $(cat "$work/verify.out")"
steps=$(grep -v '^verified' "$work/verify.out" | awk '{print $3}' | tr '\n' ' ')
for step in call.answered council.member_joined council.member_left escalation.ended; do
  [[ " $steps" == *" $step "* ]] || fail_with "the witness lacks $step: $steps"
done
check "the council's membership changes are witnessed under the escalation's trace"

expect_idle "the council"
line=$(fresh_stats)
[[ $line == *" h323_calls=0 "* && $line == *" conference_rooms=0 "* ]] ||
  fail_with "not idle: $line"
check "once the agent hung up, the link left and the council closed: nothing is left"
