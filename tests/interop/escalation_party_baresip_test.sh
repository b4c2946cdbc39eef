#!/usr/bin/env bash
# An expert who hears the agent's side: baresip phones as the expert bob (PCMU, 600 Hz), the
# agent's side "customer" (PCMU, 1000 Hz) and a colleague (PCMU, 1400 Hz). The agent escalates
# to bob; once bob has answered, it calls the customer into the escalation's room (POST
# /v1/escalations/{id}/parties), and the room links the two (their packets relayed as they are:
# nothing decoded, nothing transcoded); 2.5 s later it calls the colleague in, and the room
# moves to mixing. In a window of the linked phase bob and the customer each hear the other's
# tone at least 20 dB above the rest; in a window of the mixing phase each of the three hears
# the other two. The agent then hangs up, every phone's call ends, and nothing is left: no
# call, room or RTP port.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all
agent=/usr/bin/python3

sip_port=$(free_port 41500)
api_port=$(free_port 43500)
media_base=$(( $(free_port 50000) / 2 * 2 ))
names=(bob customer colleague)
tones=(600 1000 1400)
ports=()
for i in 0 1 2; do
  ports+=("$(free_port $(( 52000 + i * 1000 )))")
  tone "$work/${names[$i]}.wav" "${tones[$i]}" 8000 1 20 # longer than the test: baresip hangs up when its file ends
  phone "${names[$i]}" "${ports[$i]}" g711.so "$work/${names[$i]}.wav"
done

cat > "$work/policy.toml" <<TOML
[[rules]]
id = "agent-a-to-bob"
effect = "allow"
agents = ["agent-a"]
experts = ["bob"]
bridges = ["sip"]
reason = "Agent A may call Bob, with its side of the call."
TOML
cat > "$work/experts.json" <<JSON
[{"id": "bob", "sipUri": "sip:bob@127.0.0.1:${ports[0]}", "skills": ["tax"]}]
JSON
write_config <<TOML
[media]
codecs = ["PCMU"]
port_min = $media_base
port_max = $(( media_base + 99 ))
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"
api() { # METHOD PATH [BODY]: the body of the answer on stdout, its status in $work/status
  curl -s --max-time 10 -o "$work/answer.json" -w '%{http_code}' -X "$1" \
    -H 'Authorization: Bearer token-a' -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$base$2" > "$work/status" || true
  cat "$work/answer.json"
}

for i in 0 1 2; do
  timeout -k 3 40 baresip -f "$work/${names[$i]}" -t 25 > "$work/${names[$i]}.log" 2>&1 &
  background_pids+=($!)
  wait_listening udp "${ports[$i]}" || fail_with "${names[$i]}'s baresip did not start"
done

id=$(api POST /v1/escalations '{"id":"m1","performative":"escalate","sender":"agent-a",
  "payload":{"topic":"tax","expert":"bob","reason":"the customer asks about VAT"}}' |
  $agent -c 'import json,sys; print(json.load(sys.stdin)["payload"]["escalation"])') ||
  fail_with "escalate: $(cat "$work/answer.json")"
in_room() { grep -c "room escalation-$id: call .* joined" "$work/server.log" || true; }
wait_in_room() { # N: until N calls have joined the room
  local deadline=$((SECONDS + 10))
  until [ "$(in_room)" -ge "$1" ]; do
    [ $SECONDS -lt $deadline ] || fail_with "no $1 calls in the room within 10 s"
    sleep 0.05
  done
}
wait_in_room 1
check "bob answered escalation $id"

api POST "/v1/escalations/$id/parties" "{\"uri\":\"sip:customer@127.0.0.1:${ports[1]}\"}" >/dev/null
[ "$(cat "$work/status")" = 201 ] || fail_with "the customer: $(cat "$work/answer.json")"
wait_in_room 2
sleep 2.5
api POST "/v1/escalations/$id/parties" "{\"uri\":\"sip:colleague@127.0.0.1:${ports[2]}\"}" >/dev/null
[ "$(cat "$work/status")" = 201 ] || fail_with "the colleague: $(cat "$work/answer.json")"
wait_in_room 3
sleep 4
parties=$(api GET "/v1/escalations/$id" |
  $agent -c 'import json,sys; print(" ".join(p["state"] for p in json.load(sys.stdin)["parties"]))')
[ "$parties" = "connected connected" ] || fail_with "the parties are $parties"
api DELETE "/v1/escalations/$id" >/dev/null
[ "$(cat "$work/status")" = 200 ] || fail_with "hang-up: $(cat "$work/answer.json")"
check "the customer and the colleague joined the answered room ($parties); the agent hung up"

room="room escalation-$id"
grep -q "$room: .* linked (relayed as they are), no mixer" "$work/server.log" ||
  fail_with "bob and the customer were not linked"
grep -q "$room: mixing, 3 in the room" "$work/server.log" ||
  fail_with "the room did not move to mixing when the colleague joined"
joined_at=()
for i in 0 1 2; do
  joined_at+=("$(at "$room: call .* joined (PCMU), $((i + 1)) in the room")")
done
linked_at=$(at "$room: .* linked")
mixing_at=$(at "$room: mixing, 3 in the room")
expect_idle "the escalation" 15
for pid in "${background_pids[@]}"; do stop_pid "$pid"; done
background_pids=()

hears 0 "$(python3 -c "print($linked_at + 0.7)")" "$(python3 -c "print($linked_at + 2.2)")" 1000
hears 1 "$(python3 -c "print($linked_at + 0.7)")" "$(python3 -c "print($linked_at + 2.2)")" 600
check "linked: bob hears the customer and the customer hears bob, relayed"
mixed_from=$(python3 -c "print($mixing_at + 1)")
mixed_to=$(python3 -c "print($mixing_at + 3)")
hears 0 "$mixed_from" "$mixed_to" 1000 1400
hears 1 "$mixed_from" "$mixed_to" 600 1400
hears 2 "$mixed_from" "$mixed_to" 600 1000
check "mixing: each of the three hears the other two"

stats=$(fresh_stats)
field() { sed -n "s/.* $1=\([0-9]*\) .*/\1/p" <<<"$stats"; }
relayed=$(field conference_relayed)
transcoded=$(field conference_transcoded)
[ "$relayed" -gt 50 ] && [ "$transcoded" = 0 ] ||
  fail_with "the room's counters do not show relaying without transcoding: $stats"
[[ $stats == *" rtp_ports=0 "*" conference_rooms=0 conference_participants=0 "* ]] ||
  fail_with "rooms or RTP ports left: $stats"
check "relayed $relayed packets while linked, none transcoded; nothing left"
