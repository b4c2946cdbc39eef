#!/usr/bin/env bash
# Two Switchboard instances of one cluster on one PostgreSQL: an escalation lives on the
# instance that took it (its room is there), and the API answers for it on any (issue 19);
# the registry, changed on any, is every instance's.
#   - agent-a escalates on A; alice's phone (sipp) answers. On B: GET returns it answered; a
#     party asked on B is called by A, and a video source refused by A (both 202 on B, each
#     heard on B's stream); DELETE hangs it up through A (202); the agent's stream on B hears it end (A's events
#     reach B's streams through PostgreSQL's NOTIFY), and GET on B says ended.
#   - agent-a escalates on A again; A is killed (SIGKILL) with the call up. B claims the
#     escalation once it has been gone 3 s: the agent's stream on B hears it failed with a reason
#     naming sb-a and the new escalation that rings it again on B, which alice answers; B's
#     witness log holds the failure under the escalation's trace id.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/postgres_lib.sh"
. "$here/cluster_lib.sh"
start_cluster
agents_may_escalate
start_instance a
a_pid=$(pgrep -P "${instance_pids[0]}")
start_instance b
timeout -k 3 60 sipp -sn uas -i 127.0.0.1 -p "$expert_port" -nostdin -timeout 50s \
  >"$work/sipp.out" 2>&1 &
background_pids+=($!)
wait_listening udp "$expert_port" || fail_with "sipp did not start"
# agent-a's stream on B, everything it is told for 30 s.
$agent "$here/escalation_agent.py" events "ws://127.0.0.1:${api_port[b]}/v1/events?access_token=token-a" \
  "$work/events-b.jsonl" 30 >"$work/events-b.out" 2>&1 &
background_pids+=($!)
for _ in $(seq 100); do grep -q subscribed "$work/events-b.out" 2>/dev/null && break; sleep 0.05; done
heard() { # ID EXPR: whether agent-a's stream on B heard a message about ID for which EXPR holds (m)
  $agent - "$work/events-b.jsonl" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("payload", {}).get("escalation") == sys.argv[2] and eval(sys.argv[3]):
        sys.exit(0)
sys.exit(1)
PY
}
wait_heard() { # ID EXPR WHAT
  for _ in $(seq 100); do heard "$1" "$2" && return 0; sleep 0.1; done
  fail_with "agent-a's stream on B did not hear $3: $(tail -5 "$work/events-b.jsonl")"
}

expert_on() { # INSTANCE ID: the status of GET /v1/experts/ID
  curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer token-a' \
    "http://127.0.0.1:${api_port[$1]}/v1/experts/$2"
}
wait_expert() { # INSTANCE ID STATUS
  for _ in $(seq 50); do [ "$(expert_on "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  fail_with "GET /v1/experts/$2 on $1 says $(expert_on "$1" "$2"), not $3"
}
[ "$(curl -s -o "$work/bob.json" -w '%{http_code}' -H 'Authorization: Bearer token-a' \
  -H 'Content-Type: application/json' -d "{\"id\":\"bob\",\"sipUri\":\"sip:bob@127.0.0.1:$expert_port\",\"skills\":[\"tax\"]}" \
  "http://127.0.0.1:${api_port[a]}/v1/experts")" = 201 ] || fail_with "A did not add bob: $(cat "$work/bob.json")"
wait_expert b bob 200
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer token-a' \
  "http://127.0.0.1:${api_port[b]}/v1/experts/bob")" = 204 ] || fail_with "B did not remove bob"
wait_expert a bob 404
check "the registry is the cluster's: bob added on A is on B; removed on B, he is gone from A"

[ "$(escalate a a 1)" = 201 ] || fail_with "A refused: $(cat "$work/escalate-1.json")"
first=$(field 1 "d['payload']['escalation']")
wait_state a a "$first" answered
wait_state b a "$first" answered
[ "$(record b b "$first" "d.get('status')")" = 404 ] || fail_with "agent-b reads agent-a's escalation on B"
wait_heard "$first" "m['payload'].get('event') == 'answered'" "A's answered event"
listed=$(curl -s -H 'Authorization: Bearer token-a' "http://127.0.0.1:${api_port[b]}/v1/escalations?state=answered" |
  $agent -c "import json,sys; print(' '.join(e['id'] for e in json.load(sys.stdin)['escalations']))")
[ "$listed" = "$first" ] || fail_with "B lists [$listed], not $first"
check "on A, $first answered; on B, GET finds it answered (404 for agent-b), the list has it, and the stream heard it"

# A party and a video source asked of B for A's escalation: B stores them for A (202), A calls
# the party and refuses the video (the escalation did not ask for that bridge); B's stream hears
# both.
asked_on_b() { # PATH BODY NAME: POST on B, the status (the body in $work/NAME.json)
  curl -s -o "$work/$3.json" -w '%{http_code}' -H 'Authorization: Bearer token-a' \
    -H 'Content-Type: application/json' -d "$2" \
    "http://127.0.0.1:${api_port[b]}/v1/escalations/$first/$1"
}
status=$(asked_on_b parties "{\"uri\":\"sip:carol@127.0.0.1:$expert_port\"}" party)
[ "$status" = 202 ] || fail_with "POST parties on B answered $status: $(cat "$work/party.json")"
wait_heard "$first" "m['payload'].get('event') == 'calling' and m['payload'].get('party', '').startswith('sip:carol@')" "A calling carol"
status=$(asked_on_b video '{"source":"pattern"}' video)
[ "$status" = 202 ] || fail_with "POST video on B answered $status: $(cat "$work/video.json")"
wait_heard "$first" "m['payload'].get('event') == 'refused' and m['payload'].get('op') == 'add_video' and m['payload'].get('status') == 403" "A's refusal of the video"
check "POST parties and video on B: 202 each; A called carol and refused the video (403: no video bridge asked), both heard on B's stream"

status=$(curl -s -o "$work/delete.json" -w '%{http_code}' -X DELETE \
  -H 'Authorization: Bearer token-a' "http://127.0.0.1:${api_port[b]}/v1/escalations/$first")
[ "$status" = 202 ] || fail_with "DELETE on B answered $status: $(cat "$work/delete.json")"
wait_heard "$first" "m['payload'].get('event') == 'ended'" "the end"
wait_state b a "$first" ended
wait_state a a "$first" ended
check "DELETE on B: 202, A hung up, and B's stream heard the end"

[ "$(escalate a a 2)" = 201 ] || fail_with "A refused: $(cat "$work/escalate-2.json")"
second=$(field 2 "d['payload']['escalation']")
trace=$(record a a "$second" "d['trace_id']")
wait_state a a "$second" answered
kill -KILL "$a_pid"
wait "${instance_pids[0]}" 2>/dev/null || true # (bash would report the kill)
killed=$(date +%s.%N)
wait_heard "$second" "m['performative'] == 'failure' and 'sb-a' in m['payload']['reason']" "the failure"
claimed=$(date +%s.%N)
rerung=$(record b a "$second" "d.get('rerung_as', '')")
[ -n "$rerung" ] || fail_with "not rung again: $(record b a "$second" "d")"
reason=$(record b a "$second" "d['reason']")
wait_state b a "$rerung" answered
# (not grep -q: leaving before curl has written all, it would make curl's exit, through
# pipefail, the pipeline's)
taken=$(curl -s "http://127.0.0.1:${api_port[b]}/metrics" |
  grep '^switchboard_escalations_taken_over_total ' || true)
[ "$taken" = 'switchboard_escalations_taken_over_total 1' ] ||
  fail_with "B's metrics do not count the escalation it took over: ${taken:-no such line}"
check "A killed: after $($agent -c "print(f'{$claimed - $killed:.1f}')") s B reported $second failed ($reason) and rang it again as $rerung, answered"

grep -q "escalation $second failed: instance sb-a stopped" "$work/b/server.log" ||
  fail_with "B did not log the failure"
"$switchboard" witness verify --url "http://127.0.0.1:${api_port[b]}" --token token-a --agent agent-a \
  --trace "$trace" >"$work/verify.out" 2>&1 || fail_with "B's witness log does not verify: $(cat "$work/verify.out")"
grep -q "escalation.failed" "$work/verify.out" ||
  fail_with "B's witness log has no failure under trace $trace: $(cat "$work/verify.out")"
check "B's witness log verifies and holds the failure under trace $trace ($(tail -n 1 "$work/verify.out"))"
