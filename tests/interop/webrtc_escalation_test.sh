#!/usr/bin/env bash
# The WebRTC bridge end to end: an escalation answered by Switchboard's echo expert (a SIP
# call that stays up), joined over WHIP by aiortc as the expert's browser, with the grant the
# agent asked for. Switchboard runs in one network namespace, aiortc in another (ICE skips
# loopback), joined by a veth pair the test creates (root, as CI has).
#   - bad input: an offer that is not SDP (400 naming the body), no grant (401), a grant for
#     another escalation (401), a second session while one is live (409);
#   - the agent's context reaches the peer (context_update) and the phone (MESSAGE);
#   - an unknown performative from the peer gets an error naming it, and the session goes on;
#   - a 6 MiB evidence file: the peer stops acknowledging partway and nftables drops every
#     packet between the namespaces; the session goes degraded (no acknowledgement in 10 s),
#     then failed after the reconnection attempts (1, 2, 4 s); the room is degraded and the
#     expert's call goes on. The link comes back, the peer joins again, and the file resumes
#     from the first chunk not acknowledged; its SHA-256 is checked end to end;
#   - the witness log holds every state of the bridge and the evidence's digest, size, name;
#   - a wrong digest from the peer is refused: evidence.failed, and an error to the peer;
#   - on the signalling WebSocket Switchboard offers and the peer answers; a peer that joins
#     late gets the last context at once; an ICE fragment that is not text and an ICE answer
#     to no restart are each refused with an error naming the field; a 4 MiB file with the link
#     cut partway: ICE restarts offered on the socket, unanswered, the session failed, and the
#     file resumed when the peer joins again on a new socket; it ends the session on the socket.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
name=webrtc_escalation_test
. "$here/lib.sh"
. "$here/webrtc_lib.sh"
webrtc_gateway wrtc 10.202.0.1 10.202.0.2 170

id=$(escalate first)
wait_until 10 'd["state"] == "answered"' "$id"
check "escalation $id answered by the echo expert"

out=$(api POST "/v1/escalations/$id/grants" "${agent[@]}")
[ "$(status_of "$out")" = 201 ] || fail_with "grant: $out"
grant=$(field "$(body_of "$out")" 'd["grant"]')
[[ $(field "$(body_of "$out")" 'd["page"]') == "/expert?escalation=$id#grant="* ]] ||
  fail_with "the grant names no page: $out"
check "a grant for the expert's browser"

# Bad input, each refused with the protocol's own error.
out=$(api POST "/v1/escalations/$id/whip" -H "Authorization: Bearer $grant" \
  -H 'Content-Type: application/sdp' --data-binary 'hello')
[ "$(status_of "$out")" = 400 ] && [ "$(field "$(body_of "$out")" 'd["field"]')" = body ] ||
  fail_with "a bad offer: $out"
out=$(api POST "/v1/escalations/$id/whip" -H 'Content-Type: application/sdp' --data-binary 'v=0')
[ "$(status_of "$out")" = 401 ] || fail_with "no grant: $out"
other=$(escalate second)
out=$(api POST "/v1/escalations/$other/whip" -H "Authorization: Bearer $grant" \
  -H 'Content-Type: application/sdp' --data-binary 'v=0')
[ "$(status_of "$out")" = 401 ] || fail_with "a grant for another escalation: $out"
api DELETE "/v1/escalations/$other" "${agent[@]}" >/dev/null
frag=(-H "Authorization: Bearer $grant" -H 'Content-Type: application/trickle-ice-sdpfrag')
out=$(api PATCH "/v1/escalations/$id/whip/1" "${frag[@]}" --data-binary $'a=ice-ufrag:EsAw\r\n')
[ "$(status_of "$out")" = 400 ] && [ "$(field "$(body_of "$out")" 'd["field"]')" = body ] ||
  fail_with "a bad ICE fragment: $out"
out=$(api PATCH "/v1/escalations/$id/whip/999" "${frag[@]}" \
  --data-binary $'a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n')
[ "$(status_of "$out")" = 404 ] || fail_with "a PATCH for no session: $out"
out=$(api PATCH "/v1/escalations/$id/whip/1" -H "Authorization: Bearer $grant" \
  -H 'Content-Type: application/sdp' --data-binary 'v=0')
[ "$(status_of "$out")" = 415 ] || fail_with "a PATCH that is not a fragment: $out"
check "a bad offer is 400 naming the body; no grant, or another's, is 401; a bad ICE fragment" \
  "is 400, one for no session 404, one that is not a fragment 415"

# The 6 MiB file, and the peer that holds from chunk 30 on.
head -c $((6 * 1024 * 1024)) /dev/urandom > "$work/scan.bin"
digest=$(sha256sum "$work/scan.bin" | cut -d' ' -f1)
in_peers timeout -k 3 120 $python "$here/webrtc_whip_peer.py" "$base" "$id" "$grant" "$work" \
  --hold-after 30 > "$work/peer.out" 2>&1 &
peer_pid=$!
wait_for_text "$work/peer.out" '^ACTIVE' 20 || fail_with "the peer did not become active"
wait_until 5 '[p["state"] for p in d["webrtc"]] == ["active"]' "$id" # no leg for a bad offer
# Another agent may not restart the peer's ICE (RFC 9725 §4.3: the session is its owner's).
peer_leg=$(field "$(escalation "$id")" 'd["webrtc"][0]["leg"]')
out=$(api PATCH "/v1/escalations/$id/whip/$peer_leg" -H 'Authorization: Bearer token-b' \
  -H 'Content-Type: application/trickle-ice-sdpfrag' \
  --data-binary $'a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n')
[ "$(status_of "$out")" = 404 ] || fail_with "another agent's PATCH on the live session: $out"
check "another agent's PATCH on the live session is 404"
wait_for_text "$work/peer.out" '^ERROR /performative: unknown performative "dance"' 5 ||
  fail_with "no error for an unknown performative"
check "aiortc joined by WHIP: the bridge is active; an unknown performative is refused"

out=$(api POST "/v1/escalations/$id/whip" -H "Authorization: Bearer $grant" \
  -H 'Content-Type: application/sdp' --data-binary "@$work/offer.sdp")
[ "$(status_of "$out")" = 409 ] || fail_with "a second session: $out"
check "one session per escalation: a second is 409"

out=$(api POST "/v1/escalations/$id/context" "${agent[@]}" -H 'Content-Type: application/json' \
  -d '{"id":"c1","performative":"context_update","sender":"agent-a","payload":{"summary":"Router reboots hourly.","context":{"router":"X1"}}}')
[ "$(status_of "$out")" = 202 ] || fail_with "context: $out"
[ "$(field "$(body_of "$out")" 'sorted(d["delivered_to"])')" = "['sip', 'webrtc']" ] ||
  fail_with "the context did not go to both: $out"
wait_for_text "$work/peer.out" '^CONTEXT Router reboots hourly.' 5 || fail_with "no context"
check "the agent's context reaches the peer and the expert's phone"

# A context larger than aiortc's a=max-message-size (65,536) cannot go to it in one message:
# refused whole, naming the field, and kept for no one (a peer joining later gets the last one
# taken, below).
$python -c 'import json; print(json.dumps({"id": "c2", "performative": "context_update",
  "sender": "agent-a", "payload": {"summary": "Too large.", "context": {"log": "x" * 70000}}}))' \
  > "$work/large_context.json"
out=$(api POST "/v1/escalations/$id/context" "${agent[@]}" -H 'Content-Type: application/json' \
  --data-binary "@$work/large_context.json")
[ "$(status_of "$out")" = 413 ] || fail_with "a context over the peer's limit: $out"
[ "$(field "$(body_of "$out")" 'd["field"]')" = /payload/context ] ||
  fail_with "the 413 does not name the context: $out"
check "a context over the peer's max-message-size is 413 naming /payload/context"

# A name that is not UTF-8 would go into the peer's JSON: refused, naming the field.
out=$(api POST "/v1/escalations/$id/evidence?name=%FF.pdf" "${agent[@]}" --data-binary 'x')
[ "$(status_of "$out")" = 400 ] || fail_with "a name that is not UTF-8: $out"
[ "$(field "$(body_of "$out")" 'd["field"]')" = name ] || fail_with "its problem: $out"
check "an evidence name that is not UTF-8 is refused with 400 naming it"

out=$(api POST "/v1/escalations/$id/evidence?name=scan.bin" "${agent[@]}" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$work/scan.bin")
[ "$(status_of "$out")" = 202 ] || fail_with "evidence: $out"
[ "$(field "$(body_of "$out")" 'd["sha256"]')" = "$digest" ] || fail_with "its digest: $out"
wait_for_text "$work/peer.out" '^HOLDING' 20 || fail_with "the peer did not get to chunk 30"

# The link goes down: nothing passes between the namespaces (nftables drops it), and back.
cut_link() {
  in_peers nft add table inet cut
  in_peers nft 'add chain inet cut in { type filter hook input priority 0; }'
  in_peers nft 'add rule inet cut in ip saddr '"$sb_ip"' drop'
  in_sb nft add table inet cut
  in_sb nft 'add chain inet cut in { type filter hook input priority 0; }'
  in_sb nft 'add rule inet cut in ip saddr '"$peer_ip"' drop'
}
restore_link() {
  in_sb nft delete table inet cut
  in_peers nft delete table inet cut
}
cut_link
started=$SECONDS
deadline=$((SECONDS + 30))
until grep -q 'WebRTC peer of escalation .* degraded' "$work/server.log"; do
  [ $SECONDS -lt $deadline ] || fail_with "the session did not degrade"
  sleep 0.2
done
until grep -q 'WebRTC peer of escalation .* failed' "$work/server.log"; do
  [ $SECONDS -lt $deadline ] || fail_with "the session did not fail"
  sleep 0.2
done
failed_after=$((SECONDS - started))
restore_link
d=$(escalation "$id")
[ "$(field "$d" 'd["state"], d["room_state"], d["webrtc"][0]["state"]')" = 'answered degraded failed' ] ||
  fail_with "after the failure: $d"
check "link cut: degraded, then failed after ${failed_after} s; the room degraded, the call up"

touch "$work/rejoin"
wait_for_text "$work/peer.out" '^RESUMED AT' 20 || fail_with "the peer did not resume"
resumed_at=$(grep '^RESUMED AT' "$work/peer.out" | awk '{print $3}')
[ "$resumed_at" -ge 30 ] || fail_with "resumed at chunk $resumed_at, not from 30"
wait_for_text "$work/peer.out" "^EVIDENCE $digest" 30 || fail_with "the file's digest differs"
wait_until 10 'd["evidence"][0]["delivered"] and d["room_state"] == "connected"' "$id"
check "rejoined: resumed at chunk $resumed_at, SHA-256 checked end to end, the room connected"

# The witness log has every step, in order, with the trace id.
size=$(field "$(body_of "$(api GET /v1/witness/head "${agent[@]}")")" 'd["tree_size"]')
entries=$(api GET "/v1/witness/entries?from=0&to=$size" "${agent[@]}")
steps=$($python - "$(body_of "$entries")" "$id" <<'PY'
import json, sys
body, escalation = json.loads(sys.argv[1]), sys.argv[2]
for text in body["entries"]:
    e = json.loads(text)
    d, t = e.get("data", {}), e.get("type", "")
    if d.get("escalation") == escalation and (t.startswith("webrtc.") or t.startswith("evidence.")):
        print(t, d.get("size", ""), d.get("sha256", ""), d.get("name", ""))
PY
)
echo "$steps" > "$work/steps.out"
for want in webrtc.idle webrtc.connecting webrtc.active webrtc.degraded webrtc.failed \
  "evidence.received $((6 * 1024 * 1024)) $digest scan.bin" \
  "evidence.delivered $((6 * 1024 * 1024)) $digest scan.bin"; do
  grep -q "^$want" <<<"$steps" || fail_with "no witness entry $want: $steps"
done
check "witnessed: every bridge state, and the evidence's size, digest and name"

touch "$work/bye"
wait "$peer_pid" || fail_with "the peer failed"
peer_pid=
rm "$work/bye" "$work/rejoin"

# A peer that reports a wrong digest: the transfer fails, the peer is told, the room goes on.
in_peers timeout -k 3 60 $python "$here/webrtc_whip_peer.py" "$base" "$id" "$grant" "$work" \
  --wrong-digest > "$work/peer2.out" 2>&1 &
peer_pid=$!
wait_for_text "$work/peer2.out" '^ACTIVE' 20 || fail_with "the second peer did not join"
head -c 100000 /dev/urandom > "$work/small.bin"
out=$(api POST "/v1/escalations/$id/evidence?name=small.bin" "${agent[@]}" \
  --data-binary "@$work/small.bin")
[ "$(status_of "$out")" = 202 ] || fail_with "small evidence: $out"
wait_for_text "$work/peer2.out" "^ERROR the peer's SHA-256 0{64} differs" 20 ||
  fail_with "no error for a wrong digest"
wait_until 5 'not d["evidence"][1]["delivered"] and d["state"] == "answered"' "$id"
check "a wrong digest from the peer: an error to it, not delivered, the escalation goes on"
touch "$work/bye"
wait "$peer_pid" || fail_with "the second peer failed"
peer_pid=
wait_until 5 'd["webrtc"][-1]["state"] == "closed"' "$id"

# The signalling WebSocket, Switchboard offering: the peer joins, gets the last context at once
# and the file not yet delivered (small.bin, whose digest it now reports right); a 4 MiB file, held from chunk 20 on while the link goes down: the session degrades, the ICE
# restarts Switchboard offers on the socket go unanswered (aiortc cannot restart ICE), and the
# session fails; the link comes back, the peer joins again on a new socket, and the file resumes
# from chunk 20. It ends the session on the socket.
rm -f "$work/bye"
in_peers timeout -k 3 90 $python "$here/webrtc_whip_peer.py" "$base" "$id" "$grant" "$work" \
  --websocket --hold-after 20 --files 2 > "$work/peer3.out" 2>&1 &
peer_pid=$!
wait_for_text "$work/peer3.out" '^ACTIVE' 20 || fail_with "the WebSocket peer did not join"
grep -q '^OFFERED offer' "$work/peer3.out" || fail_with "Switchboard did not offer"
wait_for_text "$work/peer3.out" '^SIGNAL ERROR /payload/ice: expected an SDP fragment' 5 ||
  fail_with "no error for an ICE fragment that is not text"
wait_for_text "$work/peer3.out" '^SIGNAL ERROR /payload/ice: ICE: no restart of ours awaits an answer' 5 ||
  fail_with "no error for an ICE answer to nothing"
wait_for_text "$work/peer3.out" '^CONTEXT Router reboots hourly.' 5 ||
  fail_with "a peer that joins later did not get the last context"
head -c $((4 * 1024 * 1024)) /dev/urandom > "$work/third.bin"
third=$(sha256sum "$work/third.bin" | cut -d' ' -f1)
out=$(api POST "/v1/escalations/$id/evidence?name=third.bin" "${agent[@]}" \
  --data-binary "@$work/third.bin")
[ "$(status_of "$out")" = 202 ] || fail_with "third evidence: $out"
wait_for_text "$work/peer3.out" '^HOLDING' 20 || fail_with "the WebSocket peer did not get to chunk 20"
failures=$(grep -c 'WebRTC peer of escalation .* failed' "$work/server.log" || true)
cut_link
deadline=$((SECONDS + 30))
until [ "$(grep -c 'WebRTC peer of escalation .* failed' "$work/server.log")" -gt "$failures" ]; do
  [ $SECONDS -lt $deadline ] || fail_with "the WebSocket session did not fail"
  sleep 0.2
done
grep -q 'reconnection attempt 1: ICE restart offered to the peer' "$work/server.log" ||
  fail_with "Switchboard offered the WebSocket peer no ICE restart"
restore_link
touch "$work/rejoin"
wait_for_text "$work/peer3.out" '^RESUMED AT' 20 || fail_with "the WebSocket peer did not resume"
resumed_at=$(grep '^RESUMED AT' "$work/peer3.out" | awk '{print $3}')
[ "$resumed_at" -ge 20 ] || fail_with "the WebSocket peer resumed at chunk $resumed_at, not from 20"
wait_for_text "$work/peer3.out" "^EVIDENCE $third" 30 || fail_with "the WebSocket peer's file differs"
wait "$peer_pid" || fail_with "the WebSocket peer failed"
peer_pid=
wait_until 5 'd["webrtc"][-1]["state"] == "closed" and d["room_state"] == "connected"' "$id"
check "signalling WebSocket, Switchboard offering: link cut, ICE restarts offered, failed; rejoined" \
  "on a new socket, resumed at chunk $resumed_at, SHA-256 checked end to end"

out=$(api DELETE "/v1/escalations/$id" "${agent[@]}")
[ "$(status_of "$out")" = 200 ] || fail_with "hang up: $out"
wait_until 10 'd["state"] == "ended" and d["room_state"] == "closed"' "$id"
expect_idle "the escalation"
# The evidence files' spool (deleted on disk, read through their open descriptors) goes with
# the escalation: no descriptor of ours names one any more.
spooled=$(find "/proc/$switchboard_pid/fd" -lname '*evidence*' 2>/dev/null | wc -l)
[ "$spooled" = 0 ] || fail_with "$spooled evidence spool files still open after the escalation"
check "hung up: the room closed, nothing left, no evidence spool file open"
metrics=$(body_of "$(api GET /metrics "${agent[@]}")")
for want in 'switchboard_webrtc_sessions 0' 'switchboard_webrtc_sessions_total 5' \
  'switchboard_webrtc_failed_total 2'; do
  grep -qx "$want" <<<"$metrics" || fail_with "metrics: no $want: $(grep webrtc <<<"$metrics")"
done
check "metrics: five sessions joined, two failed, none left"
