#!/usr/bin/env bash
# An escalation answered by a real phone: baresip as the expert (auto-answer, SIP trace on).
# The agent escalates with `switchboard escalate` and a trace of its own; baresip receives an
# INVITE carrying X-IF-Trace-ID and X-IF-Expert-ID, answers, and later hangs up itself (it
# quits); meanwhile the agent's context reaches it as a SIP MESSAGE (RFC 3428); the agent's
# WebSocket hears calling, answered, context_update and ended in that order, the
# escalation ends, `switchboard witness verify` lists the trace's steps from the request to the
# expert's hang-up, against the pinned key, and the call's own log lines carry the trace.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all
agent=/usr/bin/python3 # Debian's, with python3-websockets

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
bob_port=$(free_port 45000)
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
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"
cli() { "$switchboard" "$@" --url "$base" --token token-a --agent agent-a; }
cli witness key > "$work/witness.pem" || fail_with "no public key"

tone "$work/bob.wav" 1400 8000 1
phone bob "$bob_port" g711.so "$work/bob.wav"
# Bob answers at once and, after eight seconds, quits: baresip hangs its call up on the way.
timeout -k 3 30 baresip -s -f "$work/bob" -t 8 > "$work/bob.log" 2>&1 &
bob_pid=$!
background_pids+=($bob_pid)
wait_listening udp "$bob_port" || fail_with "baresip did not start"
$agent "$here/escalation_agent.py" events "ws://127.0.0.1:$api_port/v1/events?access_token=token-a" \
  "$work/events.jsonl" 12 > "$work/events.out" 2>&1 &
events_pid=$!
background_pids+=($events_pid)
for _ in $(seq 100); do
  grep -q subscribed "$work/events.out" 2>/dev/null && break
  sleep 0.05
done

trace=5b8aa5a2d2c872e8321cf37308d69df2
cli escalate --topic tax-question --skill tax --expert bob --reason "a question on VAT" \
  --trace-id "$trace" > "$work/escalate.json" || fail_with "escalate: $(cat "$work/escalate.json")"
id=$($agent -c "import json; print(json.load(open('$work/escalate.json'))['payload']['escalation'])")
check "switchboard escalate: agree, escalation $id"

# Once Bob has answered, the agent's context reaches his phone as a MESSAGE (RFC 3428).
for _ in $(seq 100); do
  state=$(curl -s -H 'Authorization: Bearer token-a' "$base/v1/escalations/$id" |
    $agent -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = answered ] && break
  sleep 0.05
done
[ "$state" = answered ] || fail_with "bob did not answer: $state"
context=$(curl -s -w ' %{http_code}' -H 'Authorization: Bearer token-a' \
  -H 'Content-Type: application/json' "$base/v1/escalations/$id/context" \
  -d '{"id":"c1","performative":"context_update","sender":"agent-a","payload":{"summary":"VAT on exports: see ticket 4411.","context":{"ticket":4411}}}')
[[ $context == *'"delivered_to":["sip"]'*' 202' ]] || fail_with "context: $context"
wait_for_text "$work/bob.log" '^VAT on exports: see ticket 4411\.' 5 ||
  fail_with "baresip did not receive the context's MESSAGE"
grep -q '^MESSAGE sip:' "$work/bob.log" || fail_with "no MESSAGE request in baresip's trace"
check "the agent's context reached baresip as a SIP MESSAGE"

# The expert hangs up (baresip quits); the events stream falls silent after the end.
wait "$bob_pid" || true
wait "$events_pid" || fail_with "the event stream failed: $(cat "$work/events.out")"
background_pids=()
grep -q "X-IF-Trace-ID: $trace" "$work/bob.log" || fail_with "baresip's INVITE has no trace id"
grep -q "X-IF-Expert-ID: bob" "$work/bob.log" || fail_with "baresip's INVITE has no expert id"
grep -q "Call established" "$work/bob.log" || fail_with "baresip did not answer"
check "baresip received an INVITE carrying trace $trace and expert bob, and answered"

sequence=$($agent -c "
import json
for line in open('$work/events.jsonl'):
    m = json.loads(line); p = m['payload']
    assert m['trace_id'] == '$trace' and p['escalation'] == '$id', m
    print(p.get('event', m['performative']), end=' ')
")
[[ "$sequence" =~ ^calling\ (ringing\ )?answered\ context_update\ left\ ended\ $ ]] ||
  fail_with "events: '$sequence', expected calling [ringing] answered context_update left ended"
state=$(curl -s -H 'Authorization: Bearer token-a' "$base/v1/escalations/$id" |
  $agent -c 'import json,sys; print(json.load(sys.stdin)["state"])')
[ "$state" = ended ] || fail_with "the escalation is $state after the expert hung up"
check "events in order: $sequence; the escalation ended when the expert hung up"

cli witness verify --key "$work/witness.pem" --trace "$trace" > "$work/verify.out" ||
  fail_with "witness verify: $(cat "$work/verify.out")"
steps=$(grep -v '^verified' "$work/verify.out" | awk '{print $3 "/" $4}' | tr '\n' ' ')
for step in api.escalate/ guard.decision/ escalation.created/ call.placed/ call.answered/expert:bob \
  call.ended/ escalation.ended/; do
  [[ " $steps" == *" $step"* ]] || fail_with "the witness lacks $step: $steps"
done
check "witness verified with the pinned key: $steps"

# The SIP leg's log lines carry the trace as the escalation's own lines do.
for what in placed answered ended; do
  grep -q "\[sip\] call [0-9]* trace=$trace $what" "$work/server.log" ||
    fail_with "no '$what' line for the call with trace=$trace: $(grep '\[sip\]' "$work/server.log")"
done
grep -q "\[media\] room escalation-$id: call [0-9]* trace=$trace joined" "$work/server.log" ||
  fail_with "the room's join line lacks trace=$trace: $(grep '\[media\]' "$work/server.log")"
check "the call's log lines (placed, answered, ended; its room's join) carry trace=$trace"
