#!/usr/bin/env bash
# The escalation service end to end, with real peers: curl as the agent, Python's websockets
# for the event stream, sipp as the experts (and Switchboard's own echo test as one).
#   - a chain whose first expert rings and never answers and whose second answers: the INVITE
#     carries the agent's trace id, the events arrive in order, the agent hangs up;
#   - a request the policy denies: 403 naming the rule, witnessed, no INVITE sent;
#   - a rate-limited agent: 429 with Retry-After;
#   - bad JSON, an unknown member, no token: 400 naming the field, 401;
#   - the witness log checked from outside (escalation_agent.py verify) lists every step;
#   - an expert who puts the call on hold and resumes it (re-INVITEs with offers), then hangs up;
#   - the switchboard command as a client: escalate, experts, witness verify|head|key|proof
#     (a pinned key, an offline proof, an earlier head that must stay a prefix);
#   - kill -9 during a burst of escalations loses no acknowledged one: after a restart each
#     acknowledged escalation's entries are in the log and the log still verifies.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all
agent=/usr/bin/python3 # Debian's, with python3-websockets and python3-cryptography

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
slow_port=$(free_port 47000)
alice_port=$(free_port 49000)
holder_port=$(free_port 51000)
reader_port=$(free_port 53000)
guarded_port=$(free_port 54000)
media_base=$(( $(free_port 55000) / 2 * 2 ))
hash() { echo -n "$1" | sha256sum | cut -d' ' -f1; }

cat > "$work/policy.toml" <<TOML
[[rules]]
id = "no-secrets"
effect = "deny"
topics = ["secret*"]
reason = "Nobody escalates secrets."
[[rules]]
id = "agents-may-escalate"
effect = "allow"
agents = ["agent-*"]
reason = "Our agents may escalate."
[[limits]]
id = "agent-b-hourly"
agents = ["agent-b"]
rate = 1
per_seconds = 3600
burst = 1
TOML
cat > "$work/experts.json" <<JSON
[
  {"id": "slow", "sipUri": "sip:slow@127.0.0.1:$slow_port", "skills": ["billing"], "maxConcurrent": 5},
  {"id": "alice", "sipUri": "sip:alice@127.0.0.1:$alice_port", "skills": ["billing"], "maxConcurrent": 5},
  {"id": "holder", "sipUri": "sip:holder@127.0.0.1:$holder_port", "skills": ["hold"]},
  {"id": "reader", "sipUri": "sip:reader@127.0.0.1:$reader_port", "skills": ["context"]},
  {"id": "guarded", "sipUri": "sip:guarded@127.0.0.1:$guarded_port", "skills": ["trunk"]},
  {"id": "echo", "sipUri": "sip:echo@127.0.0.1:$sip_port", "skills": ["echo"], "maxConcurrent": 100}
]
JSON
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 199 ))
[[routes]]
user = "^echo\$"
echo = true
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(hash token-a)"
admin = true
[[api.tokens]]
agent = "agent-b"
sha256 = "$(hash token-b)"
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 10
kept_ended = 1
[[auth.credentials]]
realm = "callee.example"
username = "sb"
password = "pw"
TOML
start() {
  start_switchboard "$switchboard"
  wait_listening tcp "$api_port" || fail_with "the API did not start"
}
start
base="http://127.0.0.1:$api_port"

# escalate NAME TOKEN SENDER PAYLOAD [curl options…]: POSTs an IFMessage; the status goes to
# $work/NAME.status, headers and body to $work/NAME.headers and $work/NAME.json.
escalate() {
  local name=$1 token=$2 sender=$3 payload=$4
  shift 4
  curl -s -o "$work/$name.json" -D "$work/$name.headers" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@" \
    -d "{\"id\":\"$name\",\"performative\":\"escalate\",\"sender\":\"$sender\",\"payload\":$payload}" \
    "$base/v1/escalations" > "$work/$name.status"
}
json() { $agent -c "import json,sys; d=json.load(open('$work/$1.json')); print($2)"; }
# wait_for_state ID STATE: polls the escalation until it is in STATE, at most 10 s; $state is
# what it was last.
wait_for_state() {
  for _ in $(seq 100); do
    state=$(curl -s -H 'Authorization: Bearer token-a' "$base/v1/escalations/$1" |
      $agent -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
expect_status() { # NAME STATUS
  [ "$(cat "$work/$1.status")" = "$2" ] ||
    fail_with "$1: status $(cat "$work/$1.status"), expected $2: $(cat "$work/$1.json")"
}

# The chain: slow rings for two seconds and never answers, then alice answers.
curl -sf -o /dev/null -X POST -H 'Authorization: Bearer token-a' -H 'Content-Type: application/json' \
  -d '{"id":"billing","topics":["billing*"],"stages":[{"experts":["slow"],"ringSeconds":2},{"experts":["alice"],"ringSeconds":10}]}' \
  "$base/v1/chains" || fail_with "the chain was not created"
callee call_cancel_uas "$slow_port" slow &
background_pids+=($!)
callee expert_answers_uas "$alice_port" alice &
background_pids+=($!)
wait_listening udp "$slow_port" && wait_listening udp "$alice_port" || fail_with "sipp did not start"
$agent "$here/escalation_agent.py" events "ws://127.0.0.1:$api_port/v1/events?access_token=token-a" \
  "$work/events.jsonl" 4 > "$work/events.out" 2>&1 &
events_pid=$!
# Another agent, subscribed to everything, must hear nothing of agent-a's escalation.
$agent "$here/escalation_agent.py" events "ws://127.0.0.1:$api_port/v1/events?access_token=token-b" \
  "$work/others.jsonl" 8 > "$work/others.out" 2>&1 &
others_pid=$!
background_pids+=($events_pid $others_pid)
for _ in $(seq 100); do
  grep -q subscribed "$work/events.out" 2>/dev/null && grep -q subscribed "$work/others.out" 2>/dev/null && break
  sleep 0.05
done
trace=4bf92f3577b34da6a3ce929d0e0e4736
escalate chain token-a agent-a '{"topic":"billing-dispute","skills":["billing"],"reason":"a customer disputes an invoice"}' \
  -H "traceparent: 00-$trace-00f067aa0ba902b7-01"
expect_status chain 201
grep -qi "^X-IF-Trace-ID: $trace" "$work/chain.headers" || fail_with "no trace id in the answer"
id=$(json chain "d['payload']['escalation']")
[ "$(json chain "d['performative']")" = agree ] || fail_with "not agree: $(cat "$work/chain.json")"
wait_for_state "$id" answered || fail_with "the escalation is $state, not answered"
grep -q "X-IF-Trace-ID: $trace" "$work/alice.msg" || fail_with "alice's INVITE has no trace id"
grep -q "X-IF-Expert-ID: alice" "$work/alice.msg" || fail_with "alice's INVITE has no expert id"
check "a chain: slow rang out, alice answered an INVITE carrying trace $trace"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer token-a' \
  "$base/v1/escalations/$id")" = 200 ] || fail_with "the hang-up failed"
for pid in "${background_pids[@]}"; do wait "$pid" || fail_with "a peer failed: $(cat "$work"/*.out)"; done
[ ! -s "$work/others.jsonl" ] || fail_with "agent-b heard agent-a's events: $(cat "$work/others.jsonl")"
sequence=$($agent -c "
import json
for line in open('$work/events.jsonl'):
    m = json.loads(line); p = m['payload']
    assert m['trace_id'] == '$trace' and p['escalation'] == '$id', m
    # Each event carries the room's state after it (the six rules of ARCHITECTURE.md).
    room = {'answered': 'connected', 'ringing': 'ringing', 'hanging_up': 'disconnecting'}
    assert p.get('event') not in room or p['room_state'] == room[p['event']], m
    print(p.get('event', m['performative']) + ':' + p.get('expert', ''), end=' ')
")
# Every change of a leg, while the escalation lasts: slow's leg left when its stage rang out;
# alice's was hanging up when the agent's hang-up ended the escalation.
expected="calling:slow ringing:slow left:slow next_stage: calling:alice ringing:alice answered:alice \
hanging_up:alice ended: "
[ "$sequence" = "$expected" ] || fail_with "events: '$sequence', expected '$expected'"
check "events in order: $sequence; another agent heard none of them"
background_pids=()

calls_total() { curl -s "$base/metrics" | awk '/^switchboard_sip_calls_total/ {print $2}'; }
before=$(calls_total)
escalate denied token-a agent-a '{"topic":"secret-plans","reason":"let me see"}'
expect_status denied 403
[ "$(json denied "d['rule']")" = no-secrets ] || fail_with "denied by $(json denied "d['rule']")"
grep -qi '^content-type: application/problem+json' "$work/denied.headers" || fail_with "not a problem"
[ "$(calls_total)" = "$before" ] || fail_with "a call was placed for a denied request"
check "denied: 403 by rule no-secrets, no INVITE sent"

escalate first token-b agent-b '{"topic":"demo","expert":"echo","reason":"an echo"}'
expect_status first 201
escalate second token-b agent-b '{"topic":"demo","expert":"echo","reason":"another"}'
expect_status second 429
grep -qi '^retry-after: [0-9]' "$work/second.headers" || fail_with "429 without Retry-After"
[ "$(json second "d['rule']")" = agent-b-hourly ] || fail_with "429 by $(json second "d['rule']")"
check "rate limit: 429 by agent-b-hourly with Retry-After"

curl -s -o "$work/bad.json" -w '%{http_code}' -H 'Authorization: Bearer token-a' \
  -H 'Content-Type: application/json' -d '{"id": ' "$base/v1/escalations" > "$work/bad.status"
expect_status bad 400
[ "$(json bad "d['field']")" = / ] || fail_with "bad JSON names $(json bad "d['field']")"
escalate unknown token-a agent-a '{"topic":"billing","reason":"x","colour":"red"}'
expect_status unknown 400
[ "$(json unknown "d['field']")" = /payload/colour ] || fail_with "names $(json unknown "d['field']")"
curl -s -o "$work/notadmin.json" -w '%{http_code}' -X POST -H 'Authorization: Bearer token-b' \
  -H 'Content-Type: application/json' -d '{"id":"eve","sipUri":"sip:eve@127.0.0.1"}' \
  "$base/v1/experts" > "$work/notadmin.status"
expect_status notadmin 403
# The witness log's entries name every agent's escalations: an operator's to read; its signed
# head (hashes only) is any agent's.
curl -s -o "$work/notauditor.json" -w '%{http_code}' -H 'Authorization: Bearer token-b' \
  "$base/v1/witness/entries?from=0&to=1" > "$work/notauditor.status"
expect_status notauditor 403
curl -s -o "$work/agenthead.json" -w '%{http_code}' -H 'Authorization: Bearer token-b' \
  "$base/v1/witness/head" > "$work/agenthead.status"
expect_status agenthead 200
escalate notoken '' agent-a '{"topic":"billing","reason":"x"}'
expect_status notoken 401
grep -qi '^www-authenticate: Bearer' "$work/notoken.headers" || fail_with "401 without a challenge"
check "bad JSON and an unknown member: 400 naming / and /payload/colour; no token: 401; a non-admin token cannot change the registry nor read the witness log's entries: 403"

$agent "$here/escalation_agent.py" verify "$base" token-a > "$work/verify.out" ||
  fail_with "witness verify failed: $(cat "$work/verify.out")"
steps=$(grep "^$trace" "$work/verify.out" | cut -d' ' -f2 | tr '\n' ' ')
for step in api.escalate guard.decision escalation.created call.placed call.ringing \
  escalation.stage_over call.answered call.ended api.hangup escalation.ended; do
  [[ " $steps" == *" $step "* ]] || fail_with "the witness lacks $step for the trace: $steps"
done
grep -q ' escalation.refused$' "$work/verify.out" || fail_with "the denial is not witnessed"
check "witness verified ($(tail -n 1 "$work/verify.out")); the trace's steps: $steps"

# The same through the switchboard command: an escalation, a refusal, the registry, and the
# witness checked with the key pinned, by trace, and as an offline proof that breaks when edited.
cli() { "$switchboard" "$@" --url "$base" --token token-a --agent agent-a; }
cli_trace=0af7651916cd43dd8448eb211c80319c
cli escalate --topic demo --expert echo --reason "from the command line" --trace-id "$cli_trace" \
  > "$work/cli_escalate.out" || fail_with "switchboard escalate failed: $(cat "$work/cli_escalate.out")"
grep -q '"performative":"agree"' "$work/cli_escalate.out" || fail_with "not agreed: $(cat "$work/cli_escalate.out")"
status=0
cli escalate --topic secret-plans --reason "let me see" 2> "$work/cli_denied.err" || status=$?
[ "$status" = 3 ] && grep -q "rule no-secrets" "$work/cli_denied.err" ||
  fail_with "switchboard escalate of a secret: exit $status, $(cat "$work/cli_denied.err")"
echo '{"id":"bob","sipUri":"sip:bob@127.0.0.1:5999","skills":["tax"]}' > "$work/bob.json"
cli experts add "$work/bob.json" > /dev/null || fail_with "switchboard experts add failed"
cli experts list | grep -q "^bob	sip:bob@127.0.0.1:5999	tax$" || fail_with "bob is not listed"
cli experts delete bob || fail_with "switchboard experts delete failed"
status=0
cli experts show bob 2> /dev/null || status=$?
[ "$status" = 3 ] || fail_with "a deleted expert is still shown (exit $status)"
cli witness key > "$work/witness.pem" && cli witness head > "$work/head1.json" ||
  fail_with "switchboard witness key/head failed"
cli witness verify --key "$work/witness.pem" --trace "$trace" > "$work/cli_verify.out" ||
  fail_with "switchboard witness verify failed: $(cat "$work/cli_verify.out")"
cli_steps=$(grep -v '^verified' "$work/cli_verify.out" | awk '{print $3}' | tr '\n' ' ')
[ "$cli_steps" = "$steps" ] || fail_with "switchboard witness verify lists '$cli_steps', not '$steps'"
# (grep reads all of it: with -q it could leave while the command still writes, whose SIGPIPE
# pipefail would take for a failure)
cli witness verify --key "$work/witness.pem" --trace "$cli_trace" | grep ' call.placed ' >/dev/null ||
  fail_with "the command line's escalation is not witnessed under its trace"
cli witness proof --index 3 --out "$work/proof.json" &&
  "$switchboard" witness verify --proof "$work/proof.json" --key "$work/witness.pem" > /dev/null ||
  fail_with "an inclusion proof does not verify offline"
sed 's/switchboard/switchb0ard/' "$work/proof.json" > "$work/edited.json"
status=0
"$switchboard" witness verify --proof "$work/edited.json" --key "$work/witness.pem" 2> /dev/null || status=$?
[ "$status" = 4 ] || fail_with "an edited proof bundle verified (exit $status)"
check "switchboard escalate (agree; a refusal: exit 3 naming the rule), experts add/list/delete, witness verify with a pinned key ($(tail -n 1 "$work/cli_verify.out" | cut -c1-40)…) lists the same steps; a proof verifies offline and an edited one does not (exit 4)"

# The expert's own offers: hold (a=sendonly, answered a=recvonly), resume (a=sendrecv), then BYE.
callee expert_hold_uas "$holder_port" holder &
holder_pid=$!
wait_listening udp "$holder_port" || fail_with "sipp did not start"
escalate hold token-a agent-a '{"topic":"demo","expert":"holder","reason":"hold and resume"}'
expect_status hold 201
wait "$holder_pid" || fail_with "the expert's hold and resume were not answered as they should be"
hold_id=$(json hold "d['payload']['escalation']")
wait_for_state "$hold_id" ended || fail_with "after the expert's BYE the escalation is $state"
grep -q "call .* answered" "$work/server.log" && ! grep -q "a new offer refused" "$work/server.log" ||
  fail_with "an offer of the expert's was refused"
hold_trace=$(json hold "d['trace_id']")
hold_steps=$(cli witness verify --key "$work/witness.pem" --trace "$hold_trace" | grep -v '^verified' |
  awk '$3 ~ /^call\./ {print $3}' | tr '\n' ' ')
[ "$hold_steps" = "call.placed call.ringing call.answered call.hold call.resumed call.ended " ] ||
  fail_with "the room's leg went through '$hold_steps'"
check "an expert put the call on hold (answered a=recvonly), resumed it (a=sendrecv) and hung up: the escalation ended; the leg went $hold_steps"

# The agent's context for the expert who answered: its summary reaches the phone as a MESSAGE.
callee expert_context_uas "$reader_port" reader &
reader_pid=$!
wait_listening udp "$reader_port" || fail_with "sipp did not start"
escalate context token-a agent-a '{"topic":"demo","expert":"reader","reason":"context"}'
expect_status context 201
context_id=$(json context "d['payload']['escalation']")
wait_for_state "$context_id" answered || fail_with "the reader's escalation is $state"
status=$(curl -s -o "$work/context_update.json" -w '%{http_code}' -X POST \
  -H 'Authorization: Bearer token-a' -H 'Content-Type: application/json' \
  -d '{"id":"c1","performative":"context_update","sender":"agent-a","payload":{"summary":"The customer'"'"'s router reboots every hour.","context":{"logs":["reboot 01:00","reboot 02:00"]}}}' \
  "$base/v1/escalations/$context_id/context")
[ "$status" = 202 ] || fail_with "context_update: status $status: $(cat "$work/context_update.json")"
[ "$(json context_update "d['delivered_to']")" = "['sip']" ] ||
  fail_with "the summary did not go to the expert's phone: $(cat "$work/context_update.json")"
status=$(curl -s -o "$work/context_bad.json" -w '%{http_code}' -X POST \
  -H 'Authorization: Bearer token-a' -H 'Content-Type: application/json' \
  -d '{"id":"c2","performative":"context_update","sender":"agent-a","payload":{"context":{}}}' \
  "$base/v1/escalations/$context_id/context")
[ "$status" = 400 ] && grep -q '/payload/summary' "$work/context_bad.json" ||
  fail_with "a context without a summary: status $status: $(cat "$work/context_bad.json")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer token-a' \
  "$base/v1/escalations/$context_id")" = 200 ] || fail_with "the context escalation was not hung up"
wait "$reader_pid" || fail_with "the expert's phone did not get the context as it should"
context_steps=$(cli witness verify --key "$work/witness.pem" --trace "$(json context "d['trace_id']")" |
  awk '$3 ~ /^context\./ {print $3}' | tr '\n' ' ')
[ "$context_steps" = "context.update " ] || fail_with "the context was witnessed as '$context_steps'"
check "an agent's context_update reached the expert's sipp phone as a text/plain MESSAGE in the call's dialog (202, delivered_to sip), was witnessed (context.update), and one without a summary got 400 naming /payload/summary"

# An expert behind a trunk that challenges (RFC 3261 §22.2): the 401 is answered with the
# credentials for its realm, which sipp verifies before it answers.
callee auth_callee "$guarded_port" guarded &
guarded_pid=$!
wait_listening udp "$guarded_port" || fail_with "sipp did not start"
escalate guarded token-a agent-a '{"topic":"demo","expert":"guarded","reason":"challenged"}'
expect_status guarded 201
guarded_id=$(json guarded "d['payload']['escalation']")
wait_for_state "$guarded_id" answered || fail_with "the challenged expert's escalation is $state"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer token-a' \
  "$base/v1/escalations/$guarded_id")" = 200 ] || fail_with "the challenged escalation was not hung up"
wait "$guarded_pid" || fail_with "the challenging expert's sipp failed"
check "an expert's 401 is answered with the realm's credentials (sipp verifies them) and the call is answered"

# Ended escalations stay for GET up to kept_ended (1 here), the oldest dropped first.
get_status() { curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer token-a' "$@"; }
escalate later token-a agent-a '{"topic":"demo","expert":"echo","reason":"a later one"}'
expect_status later 201
later=$(json later "d['payload']['escalation']")
[ "$(get_status -X DELETE "$base/v1/escalations/$later")" = 200 ] || fail_with "the later hang-up failed"
[ "$(get_status "$base/v1/escalations/$later")" = 200 ] || fail_with "the latest ended escalation is gone"
[ "$(get_status "$base/v1/escalations/$id")" = 404 ] || fail_with "the earlier ended escalation is kept"
check "kept_ended = 1: the latest ended escalation is still shown, the earlier one is gone (404)"

# kill -9 during a burst: once at least five escalations of a burst of 40 are acknowledged (201),
# Switchboard is killed; after a restart every acknowledged one is in the log.
burst_pids=()
for i in $(seq 1 40); do
  escalate "burst$i" token-a agent-a '{"topic":"demo","expert":"echo","reason":"burst"}' &
  burst_pids+=($!)
done
acknowledged() { grep -lx 201 "$work"/burst*.status 2>/dev/null | wc -l; }
deadline=$((SECONDS + 20))
until [ "$(acknowledged)" -ge 5 ]; do
  [ $SECONDS -lt $deadline ] || fail_with "not five of the burst acknowledged within 20 s"
  sleep 0.01
done
kill -9 "$switchboard_pid"
for pid in "${burst_pids[@]}"; do wait "$pid" || true; done
wait "$server_pid" || true
acked=$(acknowledged)
[ "$acked" -ge 5 ] || fail_with "only $acked acknowledged before the kill"
start
$agent "$here/escalation_agent.py" verify "$base" token-a > "$work/verify2.out" ||
  fail_with "witness verify after kill -9 failed: $(cat "$work/verify2.out")"
for status in $(grep -l '^201$' "$work"/burst*.status); do
  name=$(basename "$status" .status)
  trace_id=$(json "$name" "d['trace_id']")
  grep -q "^$trace_id escalation.created$" "$work/verify2.out" ||
    fail_with "$name was acknowledged but its entry is gone after kill -9"
done
check "kill -9 during a burst: all $acked of 40 acknowledged before the kill are in the verified log"
cli witness verify --key "$work/witness.pem" --since "$work/head1.json" --quiet > "$work/since.out" ||
  fail_with "after kill -9 the log is not an extension of the earlier head: $(cat "$work/since.out")"
check "after kill -9 and a restart: $(cat "$work/since.out")"

# SIGHUP reloads the policy (read off the control loop): a new rule applies at once; a policy
# that does not parse leaves the one in force.
# (first in the file: the first rule that matches decides)
sed -i '0,/^\[\[rules\]\]$/s//[[rules]]\nid = "no-reloaded-first"\neffect = "deny"\ntopics = ["reloaded*"]\nreason = "Added by a reload."\n[[rules]]/' "$work/policy.toml"
kill -HUP "$switchboard_pid"
wait_for_text "$work/server.log" "SIGHUP: policy reloaded" 10 || fail_with "no reload after SIGHUP"
escalate reloaded token-a agent-a '{"topic":"reloaded-x","reason":"after the reload"}'
expect_status reloaded 403
[ "$(json reloaded "d['rule']")" = no-reloaded-first ] ||
  fail_with "refused by $(cat "$work/reloaded.json")"
echo 'not = [toml' >> "$work/policy.toml"
kill -HUP "$switchboard_pid"
wait_for_text "$work/server.log" "SIGHUP: the policy in force stays" 10 ||
  fail_with "a broken policy was not refused on SIGHUP"
escalate reloaded2 token-a agent-a '{"topic":"reloaded-y","reason":"still refused"}'
expect_status reloaded2 403
[ "$(json reloaded2 "d['rule']")" = no-reloaded-first ] ||
  fail_with "after a broken reload, refused by $(cat "$work/reloaded2.json")"
check "SIGHUP: a new rule applies at once; a policy that does not parse leaves the one in force"
